import type { JobStatusResponse } from '@pixel-prompt/contracts';
import { STYLE_IDS } from '@pixel-prompt/imaging';
import { Pipeline, registryYaml } from './harness';

describe('50 concurrent generations', () => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ registryYaml: registryYaml(STYLE_IDS, 96) });
  });

  afterAll(() => pipeline.stop());

  it('creates 50 jobs and 450 images with no lost or mixed-up state', async () => {
    const prompts = Array.from({ length: 50 }, (_, i) => `concurrent job number ${i}`);
    const submitted = await Promise.all(prompts.map((prompt, i) => pipeline.submit({ prompt, seed: i })));
    expect(submitted.map((s) => s.status)).toEqual(prompts.map(() => 202));
    expect(new Set(submitted.map((s) => s.body.jobId)).size).toBe(50);

    const jobs: JobStatusResponse[] = [];
    for (const [i, { body }] of submitted.entries()) {
      const job = await pipeline.terminal(body.jobId, 170_000);
      expect({ i, status: job.status, prompt: job.prompt, seed: job.parameters.seed }).toEqual({ i, status: 'completed', prompt: prompts[i], seed: i });
      expect(job.results.map((r) => r.model)).toEqual([...STYLE_IDS]);
      for (const result of job.results) expect(result.imageUrl).toContain(`/images/${body.jobId}/${result.index}-${result.model}.png`);
      jobs.push(job);
    }
    const stored = new Set(await pipeline.list('images/'));
    const expected = jobs.flatMap((j) => j.results.flatMap((r) => [Pipeline.keyOf(r.imageUrl), Pipeline.keyOf(r.thumbnailUrl)]));
    expect(expected).toHaveLength(900);
    expect(expected.filter((key) => !stored.has(key))).toEqual([]);
    expect((await pipeline.list('galleries/')).length).toBe(50);
  });
});
