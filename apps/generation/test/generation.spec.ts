import { describeServiceConformance } from '@pixel-prompt/testing';

describeServiceConformance('generation', ['redis', 's3']);
