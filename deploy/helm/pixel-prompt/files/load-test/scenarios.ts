// Copied from tools/load/scenarios.ts by tools/load/copy-to-chart.mjs: edit that file, then run the script.
// The load-test mix of Pixel Prompt, one source for the k6 script (tools/load/pixel-prompt.ts, run
// by k6 or by the k6-operator in the cluster) and for the local load generator
// (tools/bench/load-mix.mjs): who the virtual users are, what each does, how many arrive and for how
// long, and the bounds the results must stay within. Plain TypeScript with no Node or k6 API, so
// both run this file as it is (erasable syntax only: no enums, no parameter properties).

/** The public API's routes as the results group them: bounded names for metrics and thresholds. */
export type Endpoint = 'generate' | 'status' | 'image' | 'gallery_list' | 'gallery_detail' | 'enhance' | 'log';

export interface Answer {
  status: number;
  /** A response header by case-insensitive name. */
  header(name: string): string | undefined;
  json<T>(): T;
}

/** What a virtual user can do; k6 and the local load generator each provide one. */
export interface Client {
  /**
   * `target`: a path under the API (`/status/abc`) or an absolute URL (a CDN image link);
   * `name`: the route template, so results group by route rather than by URL.
   */
  request(method: 'GET' | 'POST', target: string, options: { endpoint: Endpoint; name: string; json?: unknown }): Promise<Answer>;
  /** A person's think time before the next action. */
  pause(seconds: number): Promise<void>;
  /** An expectation a user would notice when broken; counted in the results. */
  check(name: string, ok: boolean): boolean;
  /** Seconds from submitting a generation to its end, as the user waits for it. */
  jobDuration(seconds: number): void;
}

export type ScenarioName = 'generate' | 'status' | 'gallery' | 'enhance';

/** The seeds' mix: each scenario's share of the virtual users. */
export const MIX: Record<ScenarioName, number> = { generate: 0.5, status: 0.3, gallery: 0.1, enhance: 0.1 };

/** Linear ramps of the total number of virtual users, as k6's ramping-vus executor runs them. */
export interface Stage {
  seconds: number;
  target: number;
}

export type Profile = 'load' | 'spike' | 'soak';

export const PROFILES: Record<Profile, Stage[]> = {
  /** The seeds' test: 0 → 100 users over 2 minutes, then 100 for 5 minutes. */
  load: [
    { seconds: 120, target: 100 },
    { seconds: 300, target: 100 },
  ],
  /** A quiet baseline, ten times as many users within 10 s for 2 minutes, and back: do autoscalers catch up, does the queue drain? */
  spike: [
    { seconds: 60, target: 20 },
    { seconds: 10, target: 200 },
    { seconds: 120, target: 200 },
    { seconds: 10, target: 20 },
    { seconds: 120, target: 20 },
  ],
  /** The load test's 100 users held for an hour: leaks, slow growth of queues, Redis memory, connections. */
  soak: [
    { seconds: 120, target: 100 },
    { seconds: 3600, target: 100 },
  ],
};

/** Virtual users of one scenario at a stage's target. */
export function usersOf(scenario: ScenarioName, target: number): number {
  return Math.round(target * MIX[scenario]);
}

/** The seeds' bounds: fewer than 1% of requests fail, and 95% of them answer within 5 s end to end. */
export const MAX_FAILED_RATIO = 0.01;
export const MAX_P95_MS = 5000;
/**
 * Our own, tighter p95 per route (ms), for the cluster: submissions and status reads are Redis
 * round trips; gallery pages are one S3 LIST; images come from S3 or CloudFront; enhancement may
 * call an LLM.
 */
export const API_P95_TARGET_MS: Record<Endpoint, number> = {
  generate: 500,
  status: 300,
  image: 1000,
  gallery_list: 1000,
  gallery_detail: 500,
  enhance: 3000,
  log: 300,
};

/** How often a waiting user's page asks for the job's state, as the seeds' client polled. */
const POLL_SECONDS = 1;
/** Longest a user waits for a job before giving up (staging models may take minutes). */
const JOB_PATIENCE_SECONDS = 600;
/** Jobs the status pollers watch, submitted before the users arrive. */
const WATCHED_JOBS = 5;

const PROMPTS = [
  'a lighthouse on a cliff at dusk, watercolour',
  'a fox asleep in fresh snow, soft morning light',
  'a city skyline at night with neon reflections on wet streets',
  'a bowl of lemons on a blue tablecloth, oil painting',
  'a hot air balloon over green hills, isometric',
  'an old library with tall shelves and a rolling ladder',
];

export interface Prepared {
  jobIds: string[];
}

export interface VirtualUser {
  id: number;
  iteration: number;
}

interface JobStatus {
  status: string;
  results: { status: string; thumbnailUrl?: string; imageUrl?: string }[];
}

interface GalleryPage {
  galleries: { id: string; previewThumbnail: string }[];
}

interface GalleryDetail {
  images: { url: string; thumbnailUrl: string }[];
}

function promptOf(user: VirtualUser): string {
  return `${PROMPTS[(user.id + user.iteration) % PROMPTS.length]} (load test, user ${user.id}, round ${user.iteration})`;
}

/**
 * Before the users arrive: the load source must be in the gateway's RATE_LIMIT_ALLOWLIST (the
 * gateway sends RateLimit headers only to clients it limits), or the per-IP limit, not the system,
 * is what the test would measure. Then the jobs the status pollers watch are submitted. Resolves
 * with the reason to stop when the source is not allowlisted.
 */
export async function prepare(client: Client, { requireAllowlist }: { requireAllowlist: boolean }): Promise<Prepared | string> {
  const probe = await client.request('POST', '/log', { endpoint: 'log', name: '/log', json: { level: 'info', message: 'load test starting: allowlist probe' } });
  if (requireAllowlist && probe.header('RateLimit') !== undefined) {
    return 'the load source is rate-limited: add its address to the gateway\'s RATE_LIMIT_ALLOWLIST (docs/RUNBOOK.md, "Load-test staging"), or set REQUIRE_ALLOWLIST=false to measure the limits themselves';
  }
  const jobIds: string[] = [];
  for (let i = 0; i < WATCHED_JOBS; i++) {
    const answer = await client.request('POST', '/generate', { endpoint: 'generate', name: '/generate', json: { prompt: promptOf({ id: 0, iteration: i }), seed: i } });
    if (answer.status !== 202) return `the setup could not submit a generation: ${answer.status}`;
    jobIds.push(answer.json<{ jobId: string }>().jobId);
  }
  return { jobIds };
}

/** One iteration of each scenario: what one person does before starting over. */
export const SCENARIOS: Record<ScenarioName, (client: Client, prepared: Prepared, user: VirtualUser) => Promise<void>> = {
  /** Submits a prompt, waits on the page until every model has answered, looks at the results. */
  async generate(client, _prepared, user) {
    const submitted = await client.request('POST', '/generate', { endpoint: 'generate', name: '/generate', json: { prompt: promptOf(user), seed: user.id * 100_000 + user.iteration } });
    if (!client.check('generation accepted (202)', submitted.status === 202)) return client.pause(5);
    const { jobId } = submitted.json<{ jobId: string }>();
    const started = Date.now();
    let job: JobStatus | undefined;
    while (!job || job.status === 'pending' || job.status === 'in_progress') {
      if (Date.now() - started > JOB_PATIENCE_SECONDS * 1000) {
        client.check('job ended in time', false);
        return;
      }
      await client.pause(POLL_SECONDS);
      const answer = await client.request('GET', `/status/${jobId}`, { endpoint: 'status', name: '/status/:jobId' });
      if (!client.check('job status read (200)', answer.status === 200)) return;
      job = answer.json<JobStatus>();
    }
    client.jobDuration((Date.now() - started) / 1000);
    client.check('job completed', job.status === 'completed');
    // The page shows each model's thumbnail as its card completes.
    for (const result of job.results) {
      if (result.thumbnailUrl) {
        const image = await client.request('GET', result.thumbnailUrl, { endpoint: 'image', name: '/images/:key' });
        client.check('image loaded (200)', image.status === 200);
      }
    }
    await client.pause(5);
  },

  /** Someone with a job open in another tab: its page reads the state every second. */
  async status(client, prepared, user) {
    const jobId = prepared.jobIds[user.iteration % prepared.jobIds.length];
    const answer = await client.request('GET', `/status/${jobId}`, { endpoint: 'status', name: '/status/:jobId' });
    client.check('job status read (200)', answer.status === 200);
    await client.pause(POLL_SECONDS);
  },

  /** Opens the gallery, scrolls its first page of thumbnails, opens one gallery and views an image. */
  async gallery(client, _prepared, user) {
    const list = await client.request('GET', '/gallery/list?limit=24', { endpoint: 'gallery_list', name: '/gallery/list' });
    if (!client.check('gallery page read (200)', list.status === 200)) return client.pause(2);
    const { galleries } = list.json<GalleryPage>();
    for (const gallery of galleries) await client.request('GET', gallery.previewThumbnail, { endpoint: 'image', name: '/images/:key' });
    await client.pause(2);
    const chosen = galleries[user.iteration % Math.max(galleries.length, 1)];
    if (!chosen) return;
    const detail = await client.request('GET', `/gallery/${chosen.id}`, { endpoint: 'gallery_detail', name: '/gallery/:id' });
    if (!client.check('gallery read (200)', detail.status === 200)) return;
    const { images } = detail.json<GalleryDetail>();
    for (const image of images) await client.request('GET', image.thumbnailUrl, { endpoint: 'image', name: '/images/:key' });
    const opened = images[user.iteration % Math.max(images.length, 1)];
    if (opened) {
      const full = await client.request('GET', opened.url, { endpoint: 'image', name: '/images/:key' });
      client.check('image loaded (200)', full.status === 200);
    }
    await client.pause(3);
  },

  /** Asks for a richer prompt, reads it, and thinks about it. */
  async enhance(client, _prepared, user) {
    const answer = await client.request('POST', '/enhance', { endpoint: 'enhance', name: '/enhance', json: { prompt: PROMPTS[user.iteration % PROMPTS.length] } });
    client.check('prompt enhanced (200)', answer.status === 200);
    await client.pause(5);
  },
};
