// Lua run inside Redis, so each change to a job is atomic: no read-modify-write races between the
// replicas that work on one job's models at the same time.

/** Fields kept per model, as `m:<index>:<field>` in the job hash. */
export const MODEL_FIELDS = [
  'model', 'name', 'status', 'startedAt', 'completedAt', 'imageKey', 'thumbKey', 'tileKey', 'tile2xKey', 'bytes', 'width', 'height',
  'errorCode', 'errorMessage', 'retries',
] as const;

/** Every change to a job publishes its id here. */
export const EVENTS_CHANNEL = 'pp:job-events';
/** A cancel also publishes the job's id here: the workers running its models listen to this only. */
export const CANCELS_CHANNEL = 'pp:job-cancels';

// Shared by the scripts below. KEYS[1] job hash, KEYS[2] event stream; ARGV[1] job id, ARGV[2] now,
// ARGV[3] TTL seconds. Moves one model to `to` if its status is in `from`, records an event holding a
// snapshot of the model, and when the last model ends, the job's final status and a `completed` event.
// The job's `retries` counts the failed models sent back to the queue: each end of the job happens at
// a different count, so the count names that end's finalisation.
const TRANSITION = `
local FIELDS = {${MODEL_FIELDS.map((f) => `'${f}'`).join(', ')}}
local TERMINAL = {completed = true, error = true, canceled = true}

local function transition(index, from, to, eventType, extra)
  local p = 'm:' .. index .. ':'
  local current = redis.call('HGET', KEYS[1], p .. 'status')
  if not current then return nil end
  if not string.find(',' .. from .. ',', ',' .. current .. ',', 1, true) then return nil end
  redis.call('HSET', KEYS[1], p .. 'status', to, 'updatedAt', ARGV[2])
  for i = 1, #extra, 2 do redis.call('HSET', KEYS[1], p .. extra[i], extra[i + 1]) end
  if to == 'in_progress' and redis.call('HGET', KEYS[1], 'status') == 'pending' then
    redis.call('HSET', KEYS[1], 'status', 'in_progress')
  end

  local names = {}
  for i, f in ipairs(FIELDS) do names[i] = p .. f end
  local values = redis.call('HMGET', KEYS[1], unpack(names))
  local snapshot = {}
  for i, f in ipairs(FIELDS) do if values[i] then snapshot[f] = values[i] end end
  redis.call('XADD', KEYS[2], '*', 'type', eventType, 'index', index, 'data', cjson.encode(snapshot))

  if not TERMINAL[to] then return '' end
  local ended = redis.call('HINCRBY', KEYS[1], 'ended', 1)
  local ok = tonumber(redis.call('HGET', KEYS[1], 'ok') or '0')
  local canceled = tonumber(redis.call('HGET', KEYS[1], 'canceledModels') or '0')
  if to == 'completed' then ok = redis.call('HINCRBY', KEYS[1], 'ok', 1) end
  if to == 'canceled' then canceled = redis.call('HINCRBY', KEYS[1], 'canceledModels', 1) end
  local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
  if ended < total then return '' end
  local final
  if canceled > 0 then final = 'canceled'
  elseif ok == total then final = 'completed'
  elseif ok == 0 then final = 'failed'
  else final = 'partial' end
  redis.call('HSET', KEYS[1], 'status', final)
  redis.call('XADD', KEYS[2], '*', 'type', 'completed', 'index', '-1', 'data', '{}')
  return final
end

local function ending(final)
  return final .. ' ' .. (redis.call('HGET', KEYS[1], 'retries') or '0')
end

local function finish()
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  redis.call('PUBLISH', '${EVENTS_CHANNEL}', ARGV[1])
end
`;

/**
 * Moves one model for one attempt at it. ARGV[4] index, ARGV[5] allowed current statuses (comma
 * list), ARGV[6] new status, ARGV[7] event type, ARGV[8] the model's retries the attempt was queued
 * under, ARGV[9..] field/value pairs to set on the model.
 * Returns false when the job is gone, the model was not in an allowed status (already finished,
 * canceled), or it has been retried since the attempt was queued (the attempt is stale: a later one
 * owns the model); '' when moved, or `<final status> <job's retries>` when this move ended the job.
 */
export const TRANSITION_SCRIPT = `${TRANSITION}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if (redis.call('HGET', KEYS[1], 'm:' .. ARGV[4] .. ':retries') or '0') ~= ARGV[8] then return false end
local extra = {}
for i = 9, #ARGV do extra[#extra + 1] = ARGV[i] end
local result = transition(ARGV[4], ARGV[5], ARGV[6], ARGV[7], extra)
if result == nil then return false end
finish()
if result == '' then return '' end
return ending(result)
`;

/**
 * Cancels every model that has not ended, running ones included (their workers are told through
 * CANCELS_CHANNEL and stop the call), so the job ends at once as canceled. Returns false when the job
 * is gone, 'finished' and the status when it had already ended, otherwise the number of models
 * canceled, the job's correlation id and its retries (for its finalisation).
 */
export const CANCEL_SCRIPT = `${TRANSITION}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status ~= 'pending' and status ~= 'in_progress' then return {'finished', status} end
local total = tonumber(redis.call('HGET', KEYS[1], 'total'))
local count = 0
for index = 0, total - 1 do
  if transition(tostring(index), 'pending,in_progress', 'canceled', 'model_canceled', {'completedAt', ARGV[2]}) ~= nil then
    count = count + 1
  end
end
finish()
redis.call('PUBLISH', '${CANCELS_CHANNEL}', ARGV[1])
return {tostring(count), redis.call('HGET', KEYS[1], 'correlationId') or '', redis.call('HGET', KEYS[1], 'retries') or '0'}
`;

/**
 * Sends one failed model back to the queue: ARGV[4] its index; KEYS[3] the idempotency key ('' for
 * none), ARGV[5] the claim value (the model's retries are appended), ARGV[6] the claim's TTL. The
 * model moves error → pending without its error and times, counting its own retries (so a client can
 * tell its attempts apart, and each attempt has its own queue job and image keys), the job counts it
 * as not ended again, and its retries too (each end of the job then has its own count); if it had
 * ended, it runs again. A `model_retried` event carries the model's snapshot.
 * Returns false when the job is gone, {'claimed', claim} when the key was used before,
 * {'not_failed', status} when the model had not failed, else {'retried', the model's retries}.
 */
export const RETRY_SCRIPT = `${TRANSITION}
if KEYS[3] ~= '' then
  local claimed = redis.call('GET', KEYS[3])
  if claimed then return {'claimed', claimed} end
end
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
local p = 'm:' .. ARGV[4] .. ':'
local current = redis.call('HGET', KEYS[1], p .. 'status') or ''
if current ~= 'error' then return {'not_failed', current} end
local retries = redis.call('HINCRBY', KEYS[1], p .. 'retries', 1)
if KEYS[3] ~= '' then redis.call('SET', KEYS[3], ARGV[5] .. ' ' .. retries, 'EX', ARGV[6]) end
redis.call('HDEL', KEYS[1], p .. 'startedAt', p .. 'completedAt', p .. 'errorCode', p .. 'errorMessage')
redis.call('HINCRBY', KEYS[1], 'ended', -1)
redis.call('HINCRBY', KEYS[1], 'retries', 1)
if status ~= 'pending' and status ~= 'in_progress' then redis.call('HSET', KEYS[1], 'status', 'in_progress') end
transition(ARGV[4], 'error', 'pending', 'model_retried', {})
finish()
return {'retried', tostring(retries)}
`;

/**
 * Creates a job (KEYS[1]; KEYS[2] unused, kept so every script takes the same keys), or with an
 * idempotency key (KEYS[3]) already claimed, returns the claim instead.
 * ARGV[1] job id, ARGV[2] now, ARGV[3] TTL, ARGV[4] claim value, ARGV[5] claim TTL, ARGV[6..] fields.
 */
export const CREATE_SCRIPT = `
if KEYS[3] ~= '' then
  local claimed = redis.call('GET', KEYS[3])
  if claimed then return claimed end
  redis.call('SET', KEYS[3], ARGV[4], 'EX', ARGV[5])
end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ARGV[3])
return false
`;
