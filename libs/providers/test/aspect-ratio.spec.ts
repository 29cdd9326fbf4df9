import { ASPECT_RATIOS } from '@pixel-prompt/contracts';
import { dimensionsFor, nearestAspectRatio, nearestSize } from '../src';

describe('aspect ratios', () => {
  it('picks the closest shape a provider takes, judging wider and taller alike', () => {
    const stability = ['21:9', '16:9', '3:2', '5:4', '1:1', '4:5', '2:3', '9:16', '9:21'];
    expect(ASPECT_RATIOS.map((ratio) => nearestAspectRatio(ratio, stability))).toEqual(['1:1', '5:4', '4:5', '16:9', '9:16']);
    expect(nearestSize('16:9', ['1024x1024', '1792x1024', '1024x1792'])).toBe('1792x1024');
  });

  it('keeps about the pixels of the base square in multiples of the step, and the long side within the maximum', () => {
    expect(dimensionsFor('1:1', 1024, 8)).toEqual({ width: 1024, height: 1024 });
    expect(dimensionsFor('16:9', 1024, 8)).toEqual({ width: 1360, height: 768 });
    expect(dimensionsFor('3:4', 1024, 32)).toEqual({ width: 864, height: 1152 });
    expect(dimensionsFor('9:16', 2048, 8, 2048)).toEqual({ width: 1152, height: 2048 });
  });
});
