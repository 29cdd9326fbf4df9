/** Prompts for "Inspire me", by category; every one written for Pixel Prompt. */
export const INSPIRATIONS: Readonly<Record<string, readonly string[]>> = {
  Landscapes: [
    'A glacier lake at dawn, mist rising between turquoise ice floes, soft pink light on the peaks',
    'Terraced rice fields after rain, each terrace a mirror of the stormy sky',
    'A lone baobab tree under a sky full of stars, the Milky Way arching overhead',
    'Red sandstone canyon with a thin silver river far below, late afternoon light',
    'Lavender fields rolling towards a stone farmhouse, bees in the foreground, warm summer haze',
    'A volcanic black sand beach with enormous basalt columns and crashing white surf',
    'Autumn birch forest in fog, golden leaves carpeting a narrow wooden boardwalk',
    'Desert dunes at blue hour with a caravan of camels silhouetted on the ridge',
    'A hidden waterfall in a mossy ravine, sunbeams cutting through the spray',
    'Arctic tundra under a green aurora, a single red cabin glowing in the snow',
  ],
  Cities: [
    'A rainy neon-lit alley in a crowded city at night, reflections in every puddle',
    'Rooftop garden in a dense old town, laundry lines, pigeons and a view of domes at sunset',
    'A floating market at dawn, wooden boats piled with fruit, steam rising from noodle stalls',
    'Tram climbing a steep cobbled street lined with tiled houses, morning sun',
    'An underground library station where trains stop between towering bookshelves',
    'Venice-like canal city built inside a giant seashell, gondolas of mother-of-pearl',
    'A quiet snowy street in a mountain village at night, lanterns glowing in every window',
    'Futuristic vertical farm skyscraper wrapped in spiralling greenery, drone traffic around it',
    'Harbour town on stilts over a calm lagoon, painted boats tied to every house',
    'Busy night market in the rain, umbrellas in every colour seen from above',
  ],
  Creatures: [
    'A red fox curled asleep in a snowdrift, frost on its whiskers, macro photo',
    'Portrait of an old tortoise wearing tiny round spectacles, reading a newspaper',
    'A whale swimming through clouds above a sleeping seaside village',
    'Hummingbird made of stained glass hovering at a glowing flower',
    'An owl librarian sorting scrolls in a candlelit tower, detailed illustration',
    'Herd of wild horses galloping through shallow water, spray catching the sunset',
    'A tiny dragon napping in a teacup on a sunny windowsill',
    'Jellyfish drifting through a flooded cathedral, light falling through the rose window',
    'A cat astronaut floating in a space station, looking out at Earth',
    'Snow leopard on a rocky ledge during a blizzard, piercing pale eyes',
  ],
  'Science fiction': [
    'A generation ship’s greenhouse deck, farmers tending wheat under artificial suns',
    'Abandoned robot overgrown with flowers in a quiet meadow, butterflies resting on its hand',
    'A city on the rings of a gas giant, seen from a shuttle window',
    'Retro-futurist diner on the Moon, chrome stools, Earth rising through the window',
    'Giant ancient machine half-buried in desert sand, explorers with lanterns at its base',
    'Cyberpunk street doctor’s clinic, holographic x-rays, cluttered shelves, teal and magenta light',
    'An orbital elevator rising from the ocean into the clouds at sunrise',
    'Astronaut discovering a glowing crystal forest inside a cave on an icy moon',
    'Solar-punk market square with wind turbines shaped like flowers and bicycles everywhere',
    'A derelict space station drifting past a blue nebula, one window still lit',
  ],
  Fantasy: [
    'A wizard’s kitchen where the pots stir themselves and herbs hang from the rafters',
    'Castle built on the back of a giant turtle swimming through a misty sea',
    'Forest spirit made of moss and antlers standing in a ring of mushrooms at dusk',
    'A bridge of light between two floating islands, waterfalls falling into the clouds',
    'Tavern in a hollow tree, adventurers sharing stories around a crackling hearth',
    'Mermaid city of coral towers lit by bioluminescent lanterns',
    'An enchanted greenhouse where the plants are made of glass and hum softly',
    'Knight resting under a cherry tree, armour covered in falling petals',
    'A map room in a sky ship, brass instruments and a living, moving map on the table',
    'Dragon curled around a lighthouse on a stormy cliff, guarding the light',
  ],
  'Still life and design': [
    'A breakfast table in morning light: croissants, berries, a cracked blue teacup, film photo',
    'Isometric cutaway of a cosy two-storey cottage, every room furnished, soft pastel colours',
    'Minimalist poster of a mountain made of overlapping paper layers, muted earth tones',
    'Collection of antique keys arranged on dark velvet, dramatic side light',
    'A ceramic vase with wildflowers on a windowsill, rain on the glass behind',
    'Flat-lay of a watercolour artist’s desk, brushes, paint pans and a half-finished painting',
    'Art deco travel poster for a city on Mars, bold geometric shapes',
    'Macro photo of a soap bubble reflecting a whole garden, swirling rainbow colours',
    'Vintage botanical illustration of an imaginary glowing fern, labelled in ink',
    'Cross-section of a lemon drawn as a stained-glass window',
  ],
  Portraits: [
    'Elderly fisherman with a weathered face and a knitted cap, soft window light, oil painting',
    'A young astronomer on a rooftop at night with a brass telescope, candid photo',
    'Portrait of a beekeeper surrounded by a gentle halo of bees, golden hour',
    'A street musician playing violin in the snow, warm light from a café behind',
    'Woman in a yellow raincoat laughing in a downpour, shallow depth of field',
    'Child building a cardboard rocket in a sunlit living room, wide-angle photo',
    'Old clockmaker at his workbench, magnifying loupe, hundreds of tiny gears',
    'Portrait of a chef plating a dessert, steam and flour in the air, moody kitchen light',
  ],
};

/** Every inspiration in one list. */
export const ALL_INSPIRATIONS: readonly string[] = Object.values(INSPIRATIONS).flat();

/** A random inspiration, never `previous` (the one shown last), so a click always brings something new. */
export function pickInspiration(previous: string | undefined, random: () => number = Math.random): string {
  const choices = ALL_INSPIRATIONS.filter((prompt) => prompt !== previous);
  // Clamped, so a random source that returns 1 still picks the last; the list is never empty.
  return choices[Math.min(Math.floor(random() * choices.length), choices.length - 1)] ?? '';
}
