import { GENERATION_LIMITS } from '@pixel-prompt/contracts';
import type { PromptEnhancer } from './prompt-enhancer';

/**
 * Enhances without any network or model: the user's words stay the subject, and style, lighting,
 * composition and detail phrases come from curated vocabulary for the detected topic. Every choice is
 * keyed to a hash of the normalised prompt, so a prompt always enhances the same way (users can compare
 * models on a stable prompt) while different prompts get varied wording.
 */
export class LocalPromptEnhancer implements PromptEnhancer {
  async enhance(prompt: string, signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    return enhanceLocally(prompt);
  }
}

// ---------------------------------------------------------------------------------------------------
// Facets: what a phrase implies about the picture. A phrase is only used when none of its facets
// contradicts what the user asked for (or what an earlier phrase already committed to), so "at night"
// never gets midday sun and a watercolour never gets lens jargon.

interface Facets {
  time?: 'day' | 'dusk' | 'night';
  sky?: 'clear' | 'overcast';
  tone?: 'bright' | 'dark';
  framing?: 'close' | 'wide';
  view?: 'high' | 'low';
  // 'named' stands for a style the user named that we cannot place in a family (say "art deco"): it
  // clashes with every medium-specific phrase, so only medium-neutral wording is added.
  medium?: 'photo' | 'paint' | 'drawing' | 'digital' | 'named';
}

type FacetName = keyof Facets;
type Medium = NonNullable<Facets['medium']>;

/** Facets a phrase is rewarded for matching; medium only filters, or photo phrases would crowd out neutral ones. */
const PREFERRED_FACETS: readonly FacetName[] = ['time', 'sky', 'tone', 'framing', 'view'];

type Entry = string | readonly [text: string, facets: Facets];

interface Phrase {
  text: string;
  facets: Facets;
}

interface Vocabulary {
  /** Noun phrases with an article ("a fine-art landscape photograph"); each must carry its medium. */
  style: readonly Entry[];
  /** Participial or prepositional phrases that follow the style ("bathed in ..."). */
  lighting: readonly Entry[];
  /** Noun phrases without "with", because the sentence template joins the detail with "with". */
  composition: readonly Entry[];
  /** Noun phrases. */
  detail: readonly Entry[];
}

interface Topic {
  name: string;
  /** Genre words that name the topic outright; they outweigh incidental keywords. */
  cues: readonly string[];
  keywords: readonly string[];
  vocabulary: Vocabulary;
}

const photo: Facets = { medium: 'photo' };
const paint: Facets = { medium: 'paint' };
const drawing: Facets = { medium: 'drawing' };
const digital: Facets = { medium: 'digital' };

// ---------------------------------------------------------------------------------------------------
// Vocabulary. Every phrase stays under 75 characters, so what is added (at most about 360 characters)
// keeps a 500-character prompt well under the generate limit.
// Nothing here may add people, violence or anything else the user did not ask for.

const TOPICS: readonly Topic[] = [
  {
    name: 'portrait',
    cues: ['portrait', 'headshot', 'selfie'],
    keywords: [
      'person', 'people', 'man', 'woman', 'girl', 'boy', 'child', 'children', 'kid', 'baby', 'face', 'fisherman',
      'farmer', 'elder', 'grandmother', 'grandfather', 'grandma', 'grandpa', 'lady', 'gentleman', 'musician',
      'dancer', 'artist', 'chef', 'worker', 'nurse', 'doctor', 'teacher', 'student', 'family', 'couple', 'bride',
      'groom', 'monk', 'sailor', 'craftsman', 'blacksmith', 'athlete',
    ],
    vocabulary: {
      style: [
        ['an intimate environmental portrait photograph', photo],
        ['a classic medium-format portrait photograph', photo],
        ['a classical oil portrait in the Old Masters tradition', paint],
        ['a loose, expressive watercolour portrait', paint],
        ['a finely rendered charcoal portrait study', drawing],
        ['a painterly digital portrait', digital],
      ],
      lighting: [
        ['lit by soft window light falling across the face', { time: 'day' }],
        ['with Rembrandt lighting sculpting the features', { tone: 'dark' }],
        ['in warm golden-hour backlight that rims the hair', { time: 'dusk', sky: 'clear' }],
        ['with low-key light carving the features out of shadow', { tone: 'dark' }],
        ['in gentle overcast light that flatters the skin', { sky: 'overcast' }],
        ['lit by warm lamplight that catches the eyes', { time: 'night' }],
        ['lit by cool moonlight across the face', { time: 'night' }],
        'with soft, even light and clear catchlights in the eyes',
      ],
      composition: [
        ['a head-and-shoulders framing at eye level', { framing: 'close' }],
        ['a tight close-up in which the face fills the frame', { framing: 'close' }],
        'a three-quarter view, the gaze turned just off to one side',
        'an off-centre framing that leaves room in the direction of the gaze',
        ['an environmental portrait framing that shows the surroundings', { framing: 'wide' }],
        'a calm, centred composition and direct eye contact',
        ['a shallow depth of field isolating the face from a soft background', photo],
      ],
      detail: [
        'finely rendered skin texture and individual strands of hair',
        'expressive eyes and natural catchlights',
        'authentic, lived-in textures in the clothing',
        'an honest, unguarded expression full of character',
        'subtle skin tones and gentle tonal transitions',
      ],
    },
  },
  {
    name: 'animal',
    cues: ['wildlife', 'animal'],
    keywords: [
      'cat', 'kitten', 'dog', 'puppy', 'fox', 'wolf', 'wolves', 'bird', 'owl', 'eagle', 'hawk', 'horse', 'pony', 'lion',
      'tiger', 'bear', 'deer', 'rabbit', 'bunny', 'elephant', 'giraffe', 'zebra', 'monkey', 'squirrel', 'butterfly',
      'bee', 'frog', 'parrot', 'hummingbird', 'panda', 'koala', 'raccoon', 'hedgehog', 'cow', 'sheep', 'goat', 'pig',
      'chicken', 'duck', 'swan', 'penguin', 'leopard', 'cheetah', 'otter', 'mouse', 'mice', 'lizard', 'snake',
      'insect', 'pet', 'seal', 'badger', 'moose', 'lamb', 'heron', 'crow', 'raven',
    ],
    vocabulary: {
      style: [
        ['a crisp telephoto wildlife photograph', photo],
        ['a natural-history wildlife photograph', photo],
        ['a detailed naturalist watercolour study', paint],
        ['a rich oil painting in the tradition of classic animal painters', paint],
        ['a finely hatched pen-and-ink naturalist illustration', drawing],
        ['a charming storybook digital illustration', digital],
      ],
      lighting: [
        ['in warm golden-hour backlight that sets the animal\'s outline aglow', { time: 'dusk', sky: 'clear' }],
        ['under soft overcast light that reveals every detail of the coat', { sky: 'overcast' }],
        ['in dappled light filtering through leaves', { time: 'day' }],
        ['lit by clear morning sun and a bright catchlight in the eye', { time: 'day', sky: 'clear', tone: 'bright' }],
        ['under cool, quiet moonlight', { time: 'night' }],
        ['in the soft, fading light of twilight', { time: 'dusk' }],
        'in gentle, diffused natural light',
      ],
      composition: [
        'an eye-level view at the animal\'s own height',
        ['a close crop on the animal\'s face, the eyes in sharp focus', { framing: 'close' }],
        'the animal placed off-centre, room left in the direction it faces',
        ['the animal small within a wide view of its habitat', { framing: 'wide' }],
        ['a low angle that gives the animal a quiet presence', { view: 'low' }],
        'a clean, uncluttered background that isolates the animal',
      ],
      detail: [
        'individually defined fur or feathers',
        'bright, lifelike eyes',
        'natural textures of the surrounding habitat',
        'a subtle sense of alertness and movement',
        'true-to-life colouring and markings',
      ],
    },
  },
  {
    name: 'food',
    cues: ['food', 'dish', 'meal', 'cuisine'],
    keywords: [
      'cake', 'pizza', 'burger', 'sushi', 'coffee', 'bread', 'fruit', 'breakfast', 'dessert', 'soup', 'pasta', 'tea',
      'cookie', 'chocolate', 'salad', 'noodle', 'ramen', 'cocktail', 'wine', 'cheese', 'croissant', 'pancake',
      'taco', 'curry', 'steak', 'pie', 'donut', 'doughnut', 'cupcake', 'ice cream', 'sandwich', 'latte', 'espresso',
      'smoothie', 'berry', 'apple', 'lemon', 'dinner', 'lunch', 'brunch', 'feast', 'bakery', 'pastry', 'dumpling',
      'waffle', 'macaron', 'tart', 'stew',
    ],
    vocabulary: {
      style: [
        ['an appetising editorial food photograph', photo],
        ['a moody, dark-toned food photograph', { medium: 'photo', tone: 'dark' }],
        ['a bright, airy food photograph', { medium: 'photo', tone: 'bright' }],
        ['a luscious oil still-life painting', paint],
        ['a fresh watercolour recipe illustration', paint],
        ['a charming ink-and-pencil cookbook sketch', drawing],
        ['a cheerful, flat-colour digital illustration', digital],
      ],
      lighting: [
        ['lit by soft side light from a nearby window', { time: 'day' }],
        'with gentle backlight that makes glazes and edges glow',
        ['in warm, low-key light against a dark backdrop', { tone: 'dark' }],
        ['in bright, airy daylight with soft shadows', { time: 'day', tone: 'bright' }],
        ['in warm candlelight on a dinner table', { time: 'night' }],
        'in diffused light that brings out every texture',
      ],
      composition: [
        ['a top-down flat lay on a rustic tabletop', { view: 'high' }],
        'a 45-degree angle at the diner\'s eye level',
        ['a tight close-up on the most appetising part of the dish', { framing: 'close' }],
        ['a shallow depth of field that softens the table behind the dish', photo],
        'a clean arrangement on a simple plate surrounded by negative space',
        ['a low side angle that shows the height and layers of the dish', { view: 'low' }],
      ],
      detail: [
        'glistening highlights, crisp edges and fresh garnish',
        'visible crumbs, textures and fine surface detail',
        'rich, appetising colour',
        'fresh ingredients scattered naturally around the plate',
        'small natural imperfections that make it look freshly made',
      ],
    },
  },
  {
    name: 'space',
    cues: ['sci-fi', 'scifi', 'science fiction', 'futuristic', 'cyberpunk', 'outer space'],
    keywords: [
      'space', 'galaxy', 'planet', 'nebula', 'astronaut', 'spaceship', 'starship', 'spacecraft', 'rocket', 'robot',
      'cyborg', 'android', 'alien', 'mars', 'lunar', 'orbit', 'space station', 'cosmos', 'cosmic', 'asteroid', 'comet',
      'satellite', 'mech', 'hologram', 'holographic', 'exoplanet', 'black hole', 'supernova', 'starfield',
    ],
    vocabulary: {
      style: [
        ['a cinematic science-fiction film still', photo],
        ['a highly detailed sci-fi matte painting', digital],
        ['a sleek, cinematic 3D render', digital],
        ['richly detailed sci-fi concept art', digital],
        ['a retro-futurist gouache painting in the spirit of vintage sci-fi covers', paint],
        ['a precise technical ink illustration', drawing],
      ],
      lighting: [
        ['lit by the glow of a distant star against deep black space', { time: 'night', tone: 'dark' }],
        'with cool rim light and softly glowing accents',
        ['bathed in the colourful light of a nearby nebula', { time: 'night' }],
        ['with neon and holographic light spilling across metal surfaces', { time: 'night' }],
        ['under the harsh, unfiltered light of an alien sun', { time: 'day', sky: 'clear' }],
        'with volumetric light beams cutting through haze',
      ],
      composition: [
        ['a vast sense of scale, the subject small against the cosmos', { framing: 'wide' }],
        'a dynamic diagonal composition that conveys motion',
        ['a low angle that emphasises scale and power', { view: 'low' }],
        ['a cinematic widescreen framing', { framing: 'wide' }],
        'a centred, symmetrical composition of epic scale',
      ],
      detail: [
        'intricate hard-surface detail on panels, vents and seams',
        'tiny pinpoint stars and faint cosmic dust',
        ['subtle lens flares and atmospheric glow', photo],
        'crisp reflections on polished metal and glass',
        'a cohesive palette of deep blues, teals and warm highlights',
      ],
    },
  },
  {
    name: 'fantasy',
    cues: ['fantasy', 'magical', 'enchanted', 'mythical', 'fairytale', 'fairy tale'],
    keywords: [
      'dragon', 'castle', 'wizard', 'witch', 'elf', 'elves', 'fairy', 'unicorn', 'magic', 'knight', 'sorcerer',
      'sorceress', 'kingdom', 'goblin', 'troll', 'phoenix', 'spell', 'potion', 'griffin', 'gryphon', 'mermaid',
      'dwarf', 'dwarves', 'orc', 'rune', 'enchantress', 'mage', 'quest', 'realm', 'myth', 'legend', 'throne',
      'crown', 'king', 'queen', 'prince', 'princess',
    ],
    vocabulary: {
      style: [
        ['an epic fantasy digital painting', digital],
        ['richly detailed fantasy concept art', digital],
        ['a golden-age storybook illustration in watercolour and ink', paint],
        ['a romantic oil painting in the Pre-Raphaelite tradition', paint],
        ['an intricate pen-and-ink illustration like those in old fairy-tale books', drawing],
        ['a cinematic fantasy film still', photo],
      ],
      lighting: [
        'lit by a soft, magical glow',
        'with shafts of golden light piercing drifting mist',
        ['in the warm, flickering glow of torches and candlelight', { time: 'night' }],
        ['under an enchanted twilight sky', { time: 'dusk' }],
        ['in ethereal moonlight full of drifting motes of light', { time: 'night' }],
        ['in bright, storybook daylight', { time: 'day', sky: 'clear', tone: 'bright' }],
      ],
      composition: [
        ['a sweeping, epic composition that shows the scale of the world', { framing: 'wide' }],
        ['a heroic low angle that lends grandeur', { view: 'low' }],
        'a framing through a natural arch that pulls the eye inward',
        'a balanced composition guided by the light',
        'a dramatic diagonal composition full of movement',
      ],
      detail: [
        'intricate ornamentation and ancient, weathered textures',
        'subtle, glowing motes of magic in the air',
        'richly textured materials from carved stone to worn leather',
        'a jewel-toned palette of deep blues, golds and emerald greens',
        'fine, storybook-level detail in every corner',
      ],
    },
  },
  {
    name: 'underwater',
    cues: ['underwater', 'undersea', 'deep sea', 'under the sea'],
    keywords: [
      'coral', 'reef', 'jellyfish', 'octopus', 'fish', 'scuba', 'diver', 'kelp', 'seabed', 'shark', 'turtle',
      'seahorse', 'manta', 'anemone', 'submarine', 'shipwreck', 'aquarium',
    ],
    vocabulary: {
      style: [
        ['a vivid underwater photograph', photo],
        ['a luminous digital illustration of the deep', digital],
        ['a richly detailed 3D render', digital],
        ['a dreamy underwater watercolour', paint],
        ['a delicate pen-and-ink marine study', drawing],
      ],
      lighting: [
        ['with sunbeams streaming down from the surface', { time: 'day' }],
        'in the soft blue-green light of the deep',
        ['lit by the gentle glow of bioluminescence', { time: 'night', tone: 'dark' }],
        ['with dappled caustic light dancing across the seabed', { time: 'day', sky: 'clear' }],
        'in calm, filtered light that fades gently with depth',
      ],
      composition: [
        'an eye-level view that drifts alongside the subject',
        ['a low angle looking up toward the bright surface', { view: 'low' }],
        ['a wide view that fades into the blue distance', { framing: 'wide' }],
        ['a close, intimate view of the subject', { framing: 'close' }],
        'a centred composition surrounded by open water',
      ],
      detail: [
        'vibrant colours that fade gradually with depth',
        'fine suspended particles and tiny bubbles',
        'soft, rippling patterns of light',
        'delicate, translucent textures',
      ],
    },
  },
  {
    name: 'ocean',
    cues: ['ocean', 'seascape', 'coastal', 'maritime'],
    keywords: [
      'sea', 'beach', 'wave', 'lighthouse', 'harbor', 'harbour', 'shore', 'coast', 'coastline', 'island', 'surf',
      'lagoon', 'tide', 'whale', 'dolphin', 'seashell', 'pier', 'bay', 'sailboat', 'cove', 'seagull',
    ],
    vocabulary: {
      style: [
        ['a serene long-exposure seascape photograph', photo],
        ['a dramatic coastal photograph', photo],
        ['a vigorous marine oil painting', paint],
        ['a fresh, airy coastal watercolour', paint],
        ['a luminous digital seascape painting', digital],
        ['a delicate graphite study of sea and sky', drawing],
      ],
      lighting: [
        ['in warm golden-hour light glinting off the water', { time: 'dusk', sky: 'clear' }],
        ['under bright midday sun sparkling on the water', { time: 'day', sky: 'clear', tone: 'bright' }],
        ['beneath brooding storm clouds', { sky: 'overcast', tone: 'dark' }],
        ['in the soft pastel light of twilight', { time: 'dusk' }],
        ['under silver moonlight shimmering on the water', { time: 'night' }],
        ['in soft, misty light over the water', { sky: 'overcast' }],
        'in clean, natural light reflected off the sea',
      ],
      composition: [
        ['a low viewpoint just above the waterline', { view: 'low' }],
        'the horizon kept level on the upper third',
        ['a wide panoramic view of the open water', { framing: 'wide' }],
        'a line of breaking surf guiding the eye to the horizon',
        'a balanced composition of sea and sky',
      ],
      detail: [
        'translucent waves, fine spray and foam',
        'subtle gradients from turquoise shallows to deep blue',
        'textured rocks glistening with sea spray',
        'silky water motion against crisp, still details',
      ],
    },
  },
  {
    name: 'landscape',
    cues: ['landscape', 'scenery', 'vista', 'nature'],
    keywords: [
      'mountain', 'valley', 'forest', 'meadow', 'field', 'desert', 'canyon', 'river', 'waterfall', 'lake', 'hill',
      'tree', 'woods', 'woodland', 'jungle', 'glacier', 'countryside', 'volcano', 'prairie', 'tundra', 'cliff',
      'wildflower', 'savanna', 'fjord', 'moor', 'grassland', 'peak', 'creek', 'stream', 'rainforest', 'orchard', 'dune',
    ],
    vocabulary: {
      style: [
        ['a fine-art landscape photograph', photo],
        ['a crisp large-format landscape photograph', photo],
        ['a luminous oil painting in the Hudson River School tradition', paint],
        ['an impressionist plein-air painting', paint],
        ['a delicate watercolour landscape', paint],
        ['a richly detailed digital matte painting', digital],
        ['a detailed graphite landscape study', drawing],
      ],
      lighting: [
        ['bathed in warm, low golden-hour light', { time: 'dusk', sky: 'clear' }],
        ['under soft, diffused overcast light', { sky: 'overcast' }],
        ['lit by crisp morning sun raking across the terrain', { time: 'day', sky: 'clear', tone: 'bright' }],
        ['with shafts of sunlight breaking through drifting clouds', { time: 'day' }],
        ['under a clear night sky scattered with stars', { time: 'night', sky: 'clear' }],
        ['in the cool, fading blue light of twilight', { time: 'dusk' }],
        ['with soft mist drifting through the middle distance', { sky: 'overcast' }],
        ['lit by silvery moonlight', { time: 'night' }],
        'in soft, natural light',
      ],
      composition: [
        ['a wide vista, a strong foreground leading the eye to the horizon', { framing: 'wide' }],
        ['the horizon on the lower third beneath an expansive sky', { framing: 'wide' }],
        'a natural leading line guiding the eye deep into the land',
        'layered foreground, middle ground and background for depth',
        ['an elevated viewpoint looking out over the terrain', { view: 'high' }],
        ['a low vantage point close to the ground, the land rising beyond', { view: 'low' }],
      ],
      detail: [
        'fine texture in rock, grass and foliage',
        'layered atmospheric haze receding into the distance',
        'sharp detail from the nearest foreground to the far distance',
        'subtle shifts of colour across the land and sky',
        'a rich, natural palette of earth tones and sky colours',
      ],
    },
  },
  {
    name: 'city',
    cues: ['cityscape', 'architecture', 'architectural', 'skyline', 'urban'],
    keywords: [
      'city', 'street', 'building', 'skyscraper', 'cathedral', 'church', 'bridge', 'town', 'village', 'alley',
      'alleyway', 'downtown', 'tower', 'plaza', 'market', 'metropolis', 'rooftop', 'temple', 'palace', 'ruins',
      'house', 'cafe', 'storefront', 'avenue', 'boulevard', 'neighborhood', 'neighbourhood', 'facade', 'tokyo',
      'paris', 'new york', 'london', 'mosque', 'station', 'lane',
    ],
    vocabulary: {
      style: [
        ['a crisp architectural photograph', photo],
        ['a cinematic street photograph', photo],
        ['an atmospheric urban oil painting', paint],
        ['a loose watercolour urban sketch', paint],
        ['a precise ink-and-wash architectural drawing', drawing],
        ['a detailed isometric digital illustration', { medium: 'digital', view: 'high' }],
      ],
      lighting: [
        ['lit by glowing windows and streetlights against a deep blue night', { time: 'night' }],
        ['in the warm glow of golden hour on glass and stone', { time: 'dusk', sky: 'clear' }],
        ['under bright, even daylight and crisp shadows', { time: 'day', sky: 'clear', tone: 'bright' }],
        ['in soft overcast light that evens out the facades', { sky: 'overcast' }],
        ['after rain, wet pavement mirroring the lights', { sky: 'overcast' }],
        ['in the cool blue light of twilight as the first lights come on', { time: 'dusk' }],
        ['with neon signs casting colourful reflections', { time: 'night' }],
        'in soft, natural light',
      ],
      composition: [
        'a symmetrical one-point perspective leading to a vanishing point',
        'strong vertical lines kept straight and parallel',
        ['a low angle looking up at the towering structures', { view: 'low' }],
        ['an elevated view over rooftops and streets', { view: 'high', framing: 'wide' }],
        'a balanced composition framed by the surrounding buildings',
        ['a wide establishing view of the whole scene', { framing: 'wide' }],
      ],
      detail: [
        'crisp architectural detail in brick, stone, glass and metal',
        'fine textures in weathered surfaces and signage',
        'subtle reflections in windows and polished surfaces',
        'a coherent palette of warm stone and cool shadow tones',
        'intricate ornament and clean structural lines',
      ],
    },
  },
  {
    name: 'vehicle',
    cues: ['vehicle', 'automotive'],
    keywords: [
      'car', 'truck', 'motorcycle', 'motorbike', 'bike', 'bicycle', 'train', 'locomotive', 'airplane', 'aeroplane',
      'plane', 'aircraft', 'helicopter', 'bus', 'tram', 'tractor', 'jeep', 'boat', 'ship', 'yacht',
      'scooter', 'racecar', 'race car', 'sports car', 'taxi', 'ferry', 'hot air balloon', 'zeppelin', 'airship',
      'canoe', 'kayak', 'convertible', 'limousine',
    ],
    vocabulary: {
      style: [
        ['a glossy commercial photograph', photo],
        ['a dynamic motion photograph with panning blur', photo],
        ['a vintage travel-poster illustration in gouache', paint],
        ['a nostalgic oil painting', paint],
        ['a sleek 3D product render', digital],
        ['a precise technical cutaway drawing', drawing],
      ],
      lighting: [
        'with long, flowing reflections along the bodywork',
        ['in warm golden-hour light glinting off paint and metal', { time: 'dusk', sky: 'clear' }],
        ['under neon and streetlights reflecting in the bodywork', { time: 'night' }],
        ['in crisp, clear daylight', { time: 'day', sky: 'clear', tone: 'bright' }],
        ['in moody overcast light that deepens the colours', { sky: 'overcast', tone: 'dark' }],
        ['with headlights cutting through the evening haze', { time: 'night' }],
      ],
      composition: [
        ['a dynamic low three-quarter angle', { view: 'low' }],
        'a clean side profile against an uncluttered background',
        'a sense of motion, the vehicle heading into open space',
        ['a wide view of the vehicle in its surroundings', { framing: 'wide' }],
        'a classic front three-quarter view at eye level',
      ],
      detail: [
        'crisp reflections on paint, glass and metal',
        'precise mechanical details and fine panel lines',
        'subtle wear that hints at a life on the road',
        'accurate proportions and clean surfaces',
      ],
    },
  },
  {
    name: 'abstract',
    cues: ['abstract', 'fractal', 'geometric', 'kaleidoscope', 'kaleidoscopic', 'generative', 'psychedelic'],
    keywords: [
      'pattern', 'shape', 'swirl', 'gradient', 'circle', 'triangle', 'cube', 'sphere',
      'tessellation', 'mandala', 'marbling',
    ],
    vocabulary: {
      style: [
        ['a bold contemporary digital artwork', digital],
        ['a generative 3D render of flowing forms', digital],
        ['a large-scale abstract expressionist painting', paint],
        ['a vibrant fluid acrylic pour', paint],
        ['a minimalist ink composition', drawing],
        ['a macro photograph of abstract surfaces', photo],
      ],
      lighting: [
        'with soft, diffused gradients of light',
        ['with luminous colour glowing against deep shadow', { tone: 'dark' }],
        'lit by a soft studio glow that emphasises depth',
        'with vibrant, glowing neon accents',
        ['in bright, even light that keeps every colour clean', { tone: 'bright' }],
      ],
      composition: [
        'a balanced asymmetrical composition',
        'a rhythmic, repeating arrangement of forms',
        'a strong focal point set against open negative space',
        'a dynamic flow of forms across the frame',
        'a centred, radial symmetry',
      ],
      detail: [
        'rich, layered textures and fine gradations',
        'crisp edges where colours meet',
        'a harmonious palette and one bold accent colour',
        'subtle grain and tactile surface detail',
        'intricate, interlocking details that reward a closer look',
      ],
    },
  },
  {
    name: 'interior',
    cues: ['interior', 'still life', 'room'],
    keywords: [
      'kitchen', 'bedroom', 'living room', 'library', 'vase', 'table', 'desk', 'bookshelf', 'bookshelves', 'lamp',
      'candle', 'chair', 'sofa', 'couch', 'apartment', 'office', 'fireplace', 'bathroom', 'hallway', 'attic', 'loft',
      'teapot', 'book', 'bouquet', 'windowsill',
    ],
    vocabulary: {
      style: [
        ['a calm, natural-light editorial photograph', photo],
        ['a quiet, fine-art photograph', photo],
        ['a classical oil painting in the Dutch Golden Age tradition', paint],
        ['a cosy gouache illustration', paint],
        ['a soft, detailed 3D render', digital],
        ['a careful pencil study', drawing],
      ],
      lighting: [
        ['lit by soft window light falling across the scene', { time: 'day' }],
        ['in warm lamplight that pools on the surfaces', { time: 'night' }],
        ['in the intimate glow of candlelight', { time: 'night', tone: 'dark' }],
        ['in calm, diffused daylight', { time: 'day' }],
        ['with late-afternoon sun casting long shadows', { time: 'dusk', sky: 'clear' }],
        'in soft, even light and gentle shadows',
      ],
      composition: [
        'a calm, eye-level composition',
        ['a one-point perspective into the space', { framing: 'wide' }],
        'a balanced arrangement of objects and open space',
        ['a close, intimate view of the arrangement', { framing: 'close' }],
        ['a wide view that shows the whole space', { framing: 'wide' }],
        'a quiet symmetry anchored by the main object',
      ],
      detail: [
        'tactile textures of wood, fabric, ceramic and glass',
        'soft reflections and subtle highlights',
        'a restrained, harmonious colour palette',
        'small lived-in details that tell a story',
        'fine grain and surface detail throughout',
      ],
    },
  },
];

const GENERAL: Vocabulary = {
  style: [
    ['a high-quality, richly detailed photograph', photo],
    ['a cinematic still with a filmic colour grade', photo],
    ['an expressive oil painting', paint],
    ['a delicate watercolour illustration', paint],
    ['a polished digital illustration', digital],
    ['a detailed 3D render', digital],
    ['a refined pencil drawing', drawing],
  ],
  lighting: [
    'in soft, natural light',
    ['in warm golden-hour light', { time: 'dusk', sky: 'clear' }],
    ['with dramatic, directional light and deep shadows', { tone: 'dark' }],
    ['in bright, clear daylight', { time: 'day', sky: 'clear', tone: 'bright' }],
    ['in soft, diffused overcast light', { sky: 'overcast' }],
    ['in cool, atmospheric night-time light', { time: 'night' }],
  ],
  composition: [
    'a balanced composition following the rule of thirds',
    'a clear focal point set against a clean background',
    'a centred, symmetrical composition',
    ['a close, intimate view', { framing: 'close' }],
    ['a wide view that gives the subject room to breathe', { framing: 'wide' }],
    'a dynamic diagonal composition',
  ],
  detail: [
    'fine textures and crisp detail',
    'a harmonious colour palette',
    'subtle depth and atmosphere',
    'carefully rendered materials and surfaces',
    'clean edges and a rich tonal range',
  ],
};

/** Closing sentences; medium-neutral, because they follow whichever style was chosen. */
const FINISHES: readonly string[] = [
  'Highly detailed and cohesive, with a clear focal point',
  'Rich in detail, with a harmonious palette and a strong sense of depth',
  'Carefully balanced colour and tone throughout',
  'A cohesive, polished result with a clear sense of atmosphere',
];

// ---------------------------------------------------------------------------------------------------
// What the user already said. A named medium replaces the topic's style phrase (the user's choice wins),
// and its wording only reinforces that medium.

interface MediumCue {
  medium: Medium;
  words: readonly string[];
  /** Phrases that reinforce the named medium; empty when we add no style wording at all. */
  reinforcement: readonly string[];
}

const MEDIUM_CUES: readonly MediumCue[] = [
  {
    medium: 'paint',
    words: ['watercolor', 'watercolour', 'aquarelle'],
    reinforcement: [
      'loose, translucent washes and soft, bleeding edges on textured paper',
      'delicate layered washes, the white of the paper left to glow',
    ],
  },
  {
    medium: 'paint',
    words: ['oil painting', 'oil on canvas', 'in oils', 'oil paint', 'oil portrait', 'impasto'],
    reinforcement: [
      'rich, buttery brushwork and layered glazes on canvas',
      'visible brushstrokes and confident impasto highlights',
    ],
  },
  {
    medium: 'paint',
    words: ['acrylic', 'gouache', 'tempera'],
    reinforcement: [
      'flat, opaque passages of colour and crisp painted edges',
      'matte, velvety colour laid down in confident strokes',
    ],
  },
  {
    medium: 'paint',
    words: ['painting', 'painted', 'impressionist', 'impressionism', 'expressionist', 'fresco'],
    reinforcement: [
      'expressive, visible brushwork and a harmonious painted palette',
      'a painterly surface of lively, confident strokes',
    ],
  },
  {
    medium: 'drawing',
    words: ['pencil', 'graphite', 'charcoal', 'sketch', 'drawing', 'crayon', 'pastel drawing', 'sketchbook'],
    reinforcement: [
      'careful tonal shading and confident, expressive linework',
      'subtle cross-hatching and soft, smudged shadows',
    ],
  },
  {
    medium: 'drawing',
    words: ['ink', 'pen and ink', 'line art', 'etching', 'engraving'],
    reinforcement: [
      'bold, confident lines and carefully balanced blacks and whites',
      'fine, controlled hatching and crisp contours',
    ],
  },
  {
    medium: 'drawing',
    words: ['woodblock', 'ukiyo-e', 'linocut', 'woodcut', 'block print', 'screen print', 'risograph'],
    reinforcement: ['bold carved outlines and flat, layered areas of printed colour'],
  },
  {
    medium: 'digital',
    words: ['3d', 'cgi', 'render', 'octane', 'blender', 'unreal engine', 'claymation', 'low poly'],
    reinforcement: [
      'clean, physically based materials and soft global illumination',
      'smooth, precisely modelled forms and realistic materials',
    ],
  },
  {
    medium: 'digital',
    words: ['pixel art', '8-bit', '16-bit'],
    reinforcement: ['a crisp, limited palette and clean, deliberate pixel clusters'],
  },
  {
    medium: 'digital',
    words: ['anime', 'manga', 'cel-shaded', 'cel shaded', 'cartoon', 'comic', 'ghibli'],
    reinforcement: [
      'clean cel-shaded colour and expressive, confident line art', 'crisp outlines and vibrant, flat colour',
    ],
  },
  {
    medium: 'digital',
    words: ['digital art', 'digital painting', 'illustration', 'concept art', 'vector', 'matte painting'],
    reinforcement: ['polished digital brushwork, clean edges and rich colour'],
  },
  {
    medium: 'photo',
    words: [
      'photo', 'photograph', 'photography', 'photographic', 'photorealistic', 'dslr', 'polaroid', '35mm',
      'film still', 'snapshot',
    ],
    reinforcement: [
      'true-to-life colour and natural, accurate textures', 'crisp focus and a natural, filmic colour grade',
    ],
  },
];

/** Style words that do not name a medium; consulted only when no medium is named. */
const WEAK_STYLE_CUES: readonly MediumCue[] = [
  {
    medium: 'photo',
    words: ['realistic', 'hyperrealistic', 'hyper-realistic', 'cinematic', 'lifelike'],
    reinforcement: [
      'true-to-life colour and natural, accurate textures', 'crisp focus and a natural, filmic colour grade',
    ],
  },
  {
    medium: 'named',
    words: [
      'surreal', 'surrealist', 'surrealism', 'art deco', 'art nouveau', 'baroque', 'minimalist', 'pop art', 'cubist',
      'cubism', 'renaissance', 'vaporwave', 'synthwave', 'steampunk', 'noir', 'in the style of', 'style',
    ],
    reinforcement: [],
  },
];

interface MoodCue {
  facets: Facets;
  words: readonly string[];
}

const MOOD_CUES: readonly MoodCue[] = [
  {
    facets: { time: 'night' },
    words: [
      'night', 'midnight', 'nighttime', 'night-time', 'moonlit', 'moonlight', 'starlit', 'starry', 'nocturnal',
      'after dark',
    ],
  },
  {
    facets: { time: 'dusk' },
    words: ['sunset', 'sunrise', 'dusk', 'dawn', 'twilight', 'golden hour', 'blue hour', 'evening'],
  },
  { facets: { time: 'day' }, words: ['noon', 'midday', 'daylight', 'daytime', 'morning', 'afternoon'] },
  { facets: { time: 'day', sky: 'clear' }, words: ['sunny', 'sunlit', 'sun-drenched', 'sunshine'] },
  {
    facets: { sky: 'overcast' },
    words: [
      'fog', 'foggy', 'mist', 'misty', 'rain', 'rainy', 'raining', 'storm', 'stormy', 'overcast', 'cloudy',
      'snowing', 'snowfall', 'snowstorm', 'blizzard', 'drizzle', 'thunderstorm', 'haze', 'hazy',
    ],
  },
  { facets: { sky: 'clear' }, words: ['clear sky', 'cloudless', 'blue sky'] },
  {
    facets: { tone: 'dark' },
    words: [
      'dark', 'gloomy', 'moody', 'eerie', 'ominous', 'somber', 'sombre', 'brooding', 'melancholy',
      'melancholic', 'haunting',
    ],
  },
  { facets: { tone: 'bright' }, words: ['bright', 'cheerful', 'airy', 'joyful', 'happy', 'playful'] },
  { facets: { framing: 'close' }, words: ['close-up', 'closeup', 'macro', 'extreme close'] },
  {
    facets: { framing: 'wide' },
    words: ['wide shot', 'wide-angle', 'wide view', 'panoramic', 'panorama', 'establishing shot'],
  },
  {
    facets: { view: 'high' },
    words: ['aerial', "bird's-eye", 'birds-eye', 'top-down', 'overhead', 'from above', 'flat lay', 'drone view'],
  },
  { facets: { view: 'low' }, words: ['low angle', "worm's-eye", 'from below', 'looking up'] },
];

/** Explicit lighting: the user's description stands, and we add none of our own. */
const LIGHTING_GIVEN = wordPattern(['lighting', 'backlit', 'backlight', 'illuminated', 'lit']);

// ---------------------------------------------------------------------------------------------------

function enhanceLocally(prompt: string): string {
  const normalised = normalise(prompt);
  const vocabulary = detectTopic(normalised)?.vocabulary ?? GENERAL;
  const medium = earliest(normalised, MEDIUM_CUES) ?? earliest(normalised, WEAK_STYLE_CUES);
  const context: Facets = { ...moodFacets(normalised), ...(medium && { medium: medium.medium }) };

  const choose = (slot: string, entries: readonly Entry[]): Phrase | undefined => {
    const phrase = pickCompatible(entries, context, `${slot}\u0000${normalised}`);
    // Later slots must agree with what earlier ones committed to (a style's medium, a lighting's time).
    if (phrase) Object.assign(context, { ...phrase.facets, ...context });
    return phrase;
  };

  const style = medium
    ? pickText(medium.reinforcement, `style\u0000${normalised}`)
    : choose('style', vocabulary.style)?.text;
  const lighting = LIGHTING_GIVEN.test(normalised) ? undefined : choose('lighting', vocabulary.lighting)?.text;
  const composition = choose('composition', vocabulary.composition)?.text;
  const detail = choose('detail', vocabulary.detail)?.text;

  const sentences = [
    subjectOf(prompt),
    [style, lighting].filter((part) => part !== undefined).join(', '),
    [composition, detail].filter((part) => part !== undefined).join(', with '),
    // Half of the prompts get a closing sentence, so enhanced prompts do not all share one shape.
    hash(`finish-or-not\u0000${normalised}`) % 2 === 0 ? pickText(FINISHES, `finish\u0000${normalised}`) : undefined,
  ]
    .filter((sentence): sentence is string => sentence !== undefined && sentence !== '')
    .map((sentence) => `${capitalise(sentence)}.`);

  // The vocabulary keeps a 500-character prompt far below the limit; this only guards longer input.
  while (sentences.length > 2 && sentences.join(' ').length > GENERATION_LIMITS.promptMaxLength) sentences.pop();
  return sentences.join(' ');
}

/** The prompt as matched and hashed: case, spacing, apostrophes and trailing punctuation do not matter. */
function normalise(prompt: string): string {
  return prompt
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\s.,;:!?\u2026-]+$/u, '');
}

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'mt', 'jr', 'sr', 'vs', 'etc', 'e.g', 'i.e', 'no', 'prof', 'approx',
]);

/**
 * The user's own words as one sentence. Inner sentence breaks become semicolons, so the enhanced prompt
 * keeps its 2-4 sentence shape however the user punctuated.
 */
function subjectOf(prompt: string): string | undefined {
  const words = prompt.replace(/\s+/g, ' ').trim().split(' ');
  const joined: string[] = [];
  words.forEach((word, i) => {
    const match = /^(.*?)[.!?\u2026]+(["'\u201d\u2019)\]]*)$/u.exec(word);
    if (!match || i === words.length - 1) {
      joined.push(word);
      return;
    }
    const [, body, closers] = match;
    if (ABBREVIATIONS.has(body.toLowerCase()) || /^\p{L}$/u.test(body)) {
      joined.push(word); // "Dr. Who", "J. R. R. Tolkien"
    } else if (body === '' && closers === '') {
      const last = joined.length - 1;
      if (last >= 0 && !/[,;:]$/.test(joined[last])) joined[last] += ';';
    } else {
      joined.push(`${body}${closers};`);
    }
  });
  const subject = joined
    .join(' ')
    .replace(/[\s.,;:!?\u2026\u2013\u2014-]+$/u, '')
    .replace(/[.,;:!?\u2026]+(["'\u201d\u2019)\]]+)$/u, '$1');
  return subject === '' ? undefined : subject;
}

function capitalise(text: string): string {
  // Leave brand-like words ("iPhone") alone.
  return text.replace(
    /^(\P{L}*)(\p{Ll})(?!\p{Lu})/u,
    (_, before: string, letter: string) => before + letter.toUpperCase(),
  );
}

// ---------------------------------------------------------------------------------------------------
// Matching

/** Whole words or phrases; spaces and hyphens are interchangeable, and common plurals match. */
function wordPattern(words: readonly string[], flags = 'u'): RegExp {
  const alternatives = words.map((word) => {
    const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[ -]/g, '[ -]?');
    if (/[^aeiou]y$/.test(word)) return `${escaped.slice(0, -1)}(?:y|ies)`;
    if (/man$/.test(word)) return `${escaped.slice(0, -3)}m(?:an|en)`;
    if (/[a-z]$/.test(word)) return `${escaped}(?:e?s)?`;
    return escaped;
  });
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, flags);
}

interface CompiledTopic {
  topic: Topic;
  cues: RegExp;
  keywords: RegExp;
}

const COMPILED_TOPICS: readonly CompiledTopic[] = TOPICS.map((topic) => ({
  topic,
  cues: wordPattern(topic.cues, 'gu'),
  keywords: wordPattern(topic.keywords, 'gu'),
}));

const CUE_WEIGHT = 3;

/** The topic with the most keyword hits; on a tie, the one mentioned first, which is usually the subject. */
function detectTopic(text: string): Topic | undefined {
  let best: { topic: Topic; score: number; first: number } | undefined;
  for (const { topic, cues, keywords } of COMPILED_TOPICS) {
    const cueHits = [...text.matchAll(cues)];
    const keywordHits = [...text.matchAll(keywords)];
    const score = CUE_WEIGHT * cueHits.length + keywordHits.length;
    if (score === 0) continue;
    const first = Math.min(...[...cueHits, ...keywordHits].map((hit) => hit.index ?? 0));
    if (!best || score > best.score || (score === best.score && first < best.first)) best = { topic, score, first };
  }
  return best?.topic;
}

const compiledCues = new Map<readonly string[], RegExp>();

function firstIndex(text: string, words: readonly string[]): number {
  let pattern = compiledCues.get(words);
  if (!pattern) {
    pattern = wordPattern(words);
    compiledCues.set(words, pattern);
  }
  return text.search(pattern);
}

/** The cue mentioned first, since "a photo of an oil painting" is a photo. */
function earliest<T extends { words: readonly string[] }>(text: string, cues: readonly T[]): T | undefined {
  let best: { cue: T; index: number } | undefined;
  for (const cue of cues) {
    const index = firstIndex(text, cue.words);
    if (index >= 0 && (!best || index < best.index)) best = { cue, index };
  }
  return best?.cue;
}

/** Each facet takes the value the user mentioned first ("foggy morning, clearing by noon" is foggy). */
function moodFacets(text: string): Facets {
  const hits = MOOD_CUES.map((cue) => ({ cue, index: firstIndex(text, cue.words) }))
    .filter((hit) => hit.index >= 0)
    .sort((a, b) => a.index - b.index);
  const facets: Facets = {};
  for (const { cue } of hits) Object.assign(facets, { ...cue.facets, ...facets });
  return facets;
}

// ---------------------------------------------------------------------------------------------------
// Choosing

function toPhrase(entry: Entry): Phrase {
  return typeof entry === 'string' ? { text: entry, facets: {} } : { text: entry[0], facets: entry[1] };
}

function conflicts(phrase: Phrase, context: Facets): boolean {
  return (Object.keys(phrase.facets) as FacetName[]).some(
    (facet) => context[facet] !== undefined && context[facet] !== phrase.facets[facet],
  );
}

/**
 * Among the phrases that contradict nothing, those echoing most of what is settled (the user's "at night"
 * or "close-up", the mood of the style already chosen) win, so the additions reinforce rather than merely
 * tolerate it; the hash picks within them.
 */
function pickCompatible(entries: readonly Entry[], context: Facets, key: string): Phrase | undefined {
  const compatible = entries.map(toPhrase).filter((phrase) => !conflicts(phrase, context));
  const agreement = (phrase: Phrase) =>
    PREFERRED_FACETS.filter((facet) => context[facet] !== undefined && phrase.facets[facet] === context[facet]).length;
  const best = Math.max(...compatible.map(agreement));
  const preferred = compatible.filter((phrase) => agreement(phrase) === best);
  return preferred.length === 0 ? undefined : preferred[hash(key) % preferred.length];
}

function pickText(texts: readonly string[], key: string): string | undefined {
  return texts.length === 0 ? undefined : texts[hash(key) % texts.length];
}

/** FNV-1a with a final avalanche, so prompts differing by one letter still pick independently. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
