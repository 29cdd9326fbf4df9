/** Words that pull the palette towards a hue (degrees) — the prompt steers the colours. */
const COLOUR_WORDS: [RegExp, number][] = [
  [/\b(red|crimson|scarlet|fire|flames?|blood|ruby|lava)\b/, 0],
  [/\b(orange|sunset|autumn|amber|copper|rust)\b/, 28],
  [/\b(gold|golden|yellow|sun|sunny|desert|sand|honey)\b/, 48],
  [/\b(green|forest|jungle|leaf|leaves|moss|meadow|emerald|grass)\b/, 120],
  [/\b(teal|turquoise|lagoon|mint)\b/, 172],
  [/\b(blue|ocean|sea|sky|water|ice|icy|winter|sapphire|river|lake)\b/, 215],
  [/\b(purple|violet|lavender|amethyst|dusk|twilight)\b/, 275],
  [/\b(pink|rose|magenta|blossom|cherry)\b/, 330],
];

const DARK_WORDS = /\b(night|dark|midnight|shadows?|space|noir|storm)\b/;

export type Rgb = [number, number, number];

function hsl(h: number, s: number, l: number): Rgb {
  const hue = (((h % 360) + 360) % 360) / 360;
  const q = l < 0.5 ? l * (1 + s) : l + s - l * s;
  const p = 2 * l - q;
  const channel = (t: number) => {
    t = t < 0 ? t + 1 : t > 1 ? t - 1 : t;
    if (t < 1 / 6) return p + (q - p) * 6 * t;
    if (t < 1 / 2) return q;
    if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
    return p;
  };
  return [channel(hue + 1 / 3) * 255, channel(hue) * 255, channel(hue - 1 / 3) * 255];
}

export interface Palette {
  /** Colour at t ∈ [0, 1]. */
  at(t: number): Rgb;
}

/**
 * Five colour stops around a base hue: from colour words in the prompt when it has any (their mean
 * hue), otherwise from the prompt's hash. Guidance sets saturation and contrast: low guidance gives
 * muted, flat images, high guidance vivid, contrasted ones.
 */
export function makePalette(prompt: string, random: () => number, guidance: number): Palette {
  const text = prompt.toLowerCase();
  const hues = COLOUR_WORDS.filter(([pattern]) => pattern.test(text)).map(([, hue]) => hue);
  const baseHue = hues.length > 0 ? circularMean(hues) + (random() - 0.5) * 24 : random() * 360;
  const strength = guidance / 20;
  const saturation = 0.12 + 0.83 * strength;
  const spread = 0.18 + 0.62 * strength;
  const dark = DARK_WORDS.test(text) ? 0.22 : 0;
  const stops: Rgb[] = [0, 1, 2, 3, 4].map((i) => {
    const t = i / 4;
    // Nearby hues (±40°): the named colour dominates the whole image.
    const hue = baseHue + (random() - 0.5) * 80;
    const lightness = Math.min(0.92, Math.max(0.06, 0.5 + (t - 0.5) * spread * 1.6 - dark));
    return hsl(hue, saturation, lightness);
  });
  return {
    at(t: number): Rgb {
      const x = Math.min(0.9999, Math.max(0, t)) * 4;
      const i = Math.floor(x);
      const f = x - i;
      const a = stops[i] as Rgb;
      const b = stops[i + 1] as Rgb;
      return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
    },
  };
}

function circularMean(degrees: number[]): number {
  const x = degrees.reduce((sum, d) => sum + Math.cos((d * Math.PI) / 180), 0);
  const y = degrees.reduce((sum, d) => sum + Math.sin((d * Math.PI) / 180), 0);
  return (Math.atan2(y, x) * 180) / Math.PI;
}
