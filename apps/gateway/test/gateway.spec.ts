import { describeServiceConformance } from '@pixel-prompt/testing';

describeServiceConformance('gateway', ['redis']);
