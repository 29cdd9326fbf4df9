export * from './lib/pool';
export * from './lib/render';
export { STYLE_IDS, type StyleId } from './lib/styles';
