-- Shared by every queue script: the one key layout (queue/keys.ts builds KEYS in this order) and the clock.
-- All keys share the hash tag {<queue name>}, so a script touches one hash slot and runs on Redis Cluster.
-- Per-group sorted sets (FIFO) are derived from KEYS[1] with the same hash tag, hence the same slot.
local K_META = KEYS[1]       -- hash: queue attributes + internal counters (seq, moveseq, purgedAt)
local K_MSGS = KEYS[2]       -- hash: message id -> opaque blob (body, attributes; written by TypeScript)
local K_RC = KEYS[3]         -- hash: no longer written (receive counts are in the tokens); purge still unlinks it
local K_FR = KEYS[4]         -- hash: message id -> first receive time (ms), once received twice (see next_receipt)
local K_TOK = KEYS[5]        -- hash: message id -> current receipt token "<nonce>:<receivedAtMs>:<receive count>"
local K_SEQ = KEYS[6]        -- hash: message id -> sequence number (queue order)
local K_GRP = KEYS[7]        -- hash: message id -> message group id (FIFO)
local K_READY = KEYS[8]      -- zset: visible message ids by sequence (standard queues)
local K_DELAYED = KEYS[9]    -- zset: delayed message ids by visible-at time
local K_INFLIGHT = KEYS[10]  -- zset: in-flight message ids by visibility deadline
local K_BYAGE = KEYS[11]     -- zset: every stored message id by sent time (retention, depth)
local K_GROUPS = KEYS[12]    -- zset: FIFO groups with a visible head and nothing in flight, by head sequence
local K_GINFLIGHT = KEYS[13] -- hash: FIFO group -> messages in flight
local K_DEDUP = KEYS[14]     -- hash: FIFO dedup key -> "<message id> <sequence>"
local K_DEDUPX = KEYS[15]    -- zset: FIFO dedup key by expiry time
local K_OUT = KEYS[16]       -- hash: move id -> JSON of a message leaving this queue (DLQ redrive, move task)
local K_TOMB = KEYS[17]      -- string with TTL: set when the queue is deleted (QueueDeletedRecently)
local K_TASKS = KEYS[18]     -- hash: move task handle -> JSON task (written by TypeScript)
local K_MOVED = KEYS[19]     -- zset: move ids already received here, by time (idempotent arrivals)

local BASE = string.sub(K_META, 1, #K_META - 4)
local WAKE_CHANNEL = BASE .. 'wake'

-- Redis server time plus a test-only offset (ARGV[1], 0 in production) in milliseconds.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
end

local function queue_error(code)
  return redis.error_reply('QERR ' .. code)
end

-- Splits one argument of values joined by "\1" (empty values kept).
local function split_fields(packed)
  local fields, from = {}, 1
  while true do
    local at = string.find(packed, '\1', from, true)
    if not at then
      fields[#fields + 1] = string.sub(packed, from)
      return fields
    end
    fields[#fields + 1] = string.sub(packed, from, at - 1)
    from = at + 1
  end
end
