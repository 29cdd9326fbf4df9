import { describeServiceConformance } from '@pixel-prompt/testing';

describeServiceConformance('gallery', ['s3']);
