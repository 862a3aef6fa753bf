-- Shared by every script that moves messages between states. Requires keys.lua.
-- A FIFO group is "released" (listed in K_GROUPS) only while it has visible messages and none in flight;
-- the message ids of a group, visible and in flight, sit in its own zset ordered by sequence.

-- Messages this call made visible outside send (a FIFO group released, a visibility set to 0): delete and
-- change-visibility publish it on the wake channel, since waiting receivers may hold no timer for it.
local made_visible = 0

local function group_key(group)
  return BASE .. 'g:' .. group
end

local function release_group(group)
  if redis.call('HEXISTS', K_GINFLIGHT, group) == 1 then
    return
  end
  local head = redis.call('ZRANGE', group_key(group), 0, 0, 'WITHSCORES')
  if head[2] then
    made_visible = made_visible + redis.call('ZADD', K_GROUPS, head[2], group)
  else
    redis.call('ZREM', K_GROUPS, group)
  end
end

local function make_visible(id, fifo)
  local seq = redis.call('HGET', K_SEQ, id)
  if fifo then
    local group = redis.call('HGET', K_GRP, id)
    redis.call('ZADD', group_key(group), seq, id)
    release_group(group)
  else
    redis.call('ZADD', K_READY, seq, id)
  end
end

local function leave_flight(group)
  if redis.call('HINCRBY', K_GINFLIGHT, group, -1) <= 0 then
    redis.call('HDEL', K_GINFLIGHT, group)
  end
end

-- The visibility timeout of an in-flight message ran out (or was set to 0): it is visible again.
local function return_from_flight(id, fifo)
  redis.call('ZREM', K_INFLIGHT, id)
  if fifo then
    local group = redis.call('HGET', K_GRP, id)
    leave_flight(group)
    release_group(group)
  else
    redis.call('ZADD', K_READY, redis.call('HGET', K_SEQ, id), id)
    made_visible = made_visible + 1
  end
end

local function publish_made_visible()
  if made_visible > 0 then
    redis.call('PUBLISH', WAKE_CHANNEL, made_visible)
  end
end

local function remove_message(id, fifo)
  local was_in_flight = redis.call('ZREM', K_INFLIGHT, id) == 1
  redis.call('ZREM', K_READY, id)
  redis.call('ZREM', K_DELAYED, id)
  redis.call('ZREM', K_BYAGE, id)
  if fifo then
    local group = redis.call('HGET', K_GRP, id)
    if group then
      redis.call('ZREM', group_key(group), id)
      if was_in_flight then
        leave_flight(group)
      end
      release_group(group)
    end
  end
  redis.call('HDEL', K_MSGS, id)
  redis.call('HDEL', K_FR, id)
  redis.call('HDEL', K_TOK, id)
  redis.call('HDEL', K_SEQ, id)
  redis.call('HDEL', K_GRP, id)
end

-- Standard queues only: remove many received messages with one variadic command per structure. A message
-- that was received is never delayed again (delays apply before the first receive), so K_DELAYED is left alone.
local function remove_received_standard_messages(ids)
  if #ids == 0 then
    return
  end
  for _, key in ipairs({ K_INFLIGHT, K_READY, K_BYAGE }) do
    redis.call('ZREM', key, unpack(ids))
  end
  for _, key in ipairs({ K_MSGS, K_FR, K_TOK, K_SEQ }) do
    redis.call('HDEL', key, unpack(ids))
  end
end

-- A message's receive count and first receive time come from its current receipt token (K_TOK,
-- "<nonce>:<receivedAt>:<count>") and K_FR; K_FR is written only when a message is received a second time (until
-- then the token's time is its first receive), so a first receive or a hand-off writes the token alone.
-- Returns the count of this receive, its first receive time and the K_FR value to store (nil: none to store).
local function next_receipt(token, stored_first, now)
  if not token then
    return 1, now, nil
  end
  local at, count = string.match(token, ':(%d+):(%d+)$')
  if stored_first then
    return tonumber(count) + 1, stored_first, nil
  end
  return tonumber(count) + 1, at, at
end

local function insert_message(id, blob, sent, group, delay_ms, now, fifo)
  local seq = redis.call('HINCRBY', K_META, 'seq', 1)
  redis.call('HSET', K_MSGS, id, blob)
  redis.call('HSET', K_SEQ, id, seq)
  redis.call('ZADD', K_BYAGE, sent, id)
  if fifo then
    redis.call('HSET', K_GRP, id, group)
  end
  if delay_ms > 0 then
    redis.call('ZADD', K_DELAYED, now + delay_ms, id)
  else
    make_visible(id, fifo)
  end
  return seq
end

-- Bounded housekeeping run before reads: each call does at most MAX_SWEEP items per kind so one script stays
-- well under a millisecond; callers run often enough that backlogs drain over a few calls.
local MAX_SWEEP = 1000

local function sweep(now, fifo, retention_ms)
  local old = redis.call('ZRANGEBYSCORE', K_BYAGE, '-inf', '(' .. (now - retention_ms), 'LIMIT', 0, MAX_SWEEP)
  for _, id in ipairs(old) do
    remove_message(id, fifo)
  end
  local due = redis.call('ZRANGEBYSCORE', K_DELAYED, '-inf', now, 'LIMIT', 0, MAX_SWEEP)
  for _, id in ipairs(due) do
    redis.call('ZREM', K_DELAYED, id)
    make_visible(id, fifo)
  end
  local expired = redis.call('ZRANGEBYSCORE', K_INFLIGHT, '-inf', now, 'LIMIT', 0, MAX_SWEEP)
  for _, id in ipairs(expired) do
    return_from_flight(id, fifo)
  end
end

-- Take a message out of this queue into the outbox (K_OUT); TypeScript adds it to its destination with
-- add-moved-19.lua (idempotent by move id) and then acknowledges with out-ack-19.lua. Two scripts because
-- source and destination are two queues, two hash slots on a Cluster.
local function to_outbox(id, kind, dest, fifo)
  local move_id = BASE .. redis.call('HINCRBY', K_META, 'moveseq', 1)
  local entry = cjson.encode({
    i = id,
    b = redis.call('HGET', K_MSGS, id),
    t = redis.call('ZSCORE', K_BYAGE, id),
    g = redis.call('HGET', K_GRP, id) or '',
    d = dest,
    k = kind,
  })
  redis.call('HSET', K_OUT, move_id, entry)
  remove_message(id, fifo)
  return { move_id, entry }
end

-- One HMGET for every setting a script reads; exists is false when the queue does not (every queue has 'seq').
local function queue_settings()
  local m = redis.call('HMGET', K_META, 'FifoQueue', 'VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod',
    'MaximumMessageSize', 'maxReceiveCount', 'deadLetterQueue', 'ContentBasedDeduplication', 'DeduplicationScope',
    'ReceiveMessageWaitTimeSeconds', 'seq')
  return {
    fifo = m[1] == 'true',
    visibility_ms = tonumber(m[2] or '30') * 1000,
    delay_ms = tonumber(m[3] or '0') * 1000,
    retention_ms = tonumber(m[4] or '345600') * 1000,
    max_size = tonumber(m[5] or '1048576'),
    max_receive = tonumber(m[6] or '0'),
    dlq = m[7] or '',
    content_dedup = m[8] == 'true',
    group_scope = m[9] == 'messageGroup',
    wait_seconds = tonumber(m[10] or '0'),
    exists = m[11] ~= false,
  }
end
