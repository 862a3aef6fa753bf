-- Receive up to 10 messages, making them invisible for the visibility timeout. A message whose receive count
-- would exceed the redrive policy's maxReceiveCount goes to the outbox for the dead-letter queue instead.
-- KEYS: the 19 queue keys.
-- ARGV[1] clock offset ms, ARGV[2] max messages, ARGV[3] visibility timeout seconds (-1 = queue default),
-- ARGV[4] nonce for this call's receipt tokens.
-- Returns { now, next due ms (-1 none, or some messages are still visible), outbox size, { { move id, entry JSON }... }, messages, queue's default
-- wait seconds, messages still visible (FIFO: groups available) } where messages is a flat list of 8 values
-- each: id, blob, receive count, first receive ms, token, sent ms, sequence, group.
-- Errors: QueueDoesNotExist.
--@include keys
--@include messages
local now = now_ms()
local s = queue_settings()
if not s.exists then
  return queue_error('QueueDoesNotExist')
end
sweep(now, s.fifo, s.retention_ms)
local max = tonumber(ARGV[2])
local visibility_ms = s.visibility_ms
if tonumber(ARGV[3]) >= 0 then
  visibility_ms = tonumber(ARGV[3]) * 1000
end
local token_prefix = ARGV[4] .. ':' .. now
local messages = {}
local dead = {}
local taken = 0
local inflight = {}
-- Formatted once: a number would be formatted again for every ZADD argument.
local deadline = string.format('%.17g', now + visibility_ms)

-- Returns true when delivered, false when it went to the dead-letter outbox.
local function take(id)
  local current = redis.call('HGET', K_TOK, id)
  local count, first, store_first = next_receipt(current, current and redis.call('HGET', K_FR, id), now)
  if s.max_receive > 0 and count > s.max_receive and s.dlq ~= '' then
    dead[#dead + 1] = to_outbox(id, 'redrive', s.dlq, s.fifo)
    return false
  end
  local token = token_prefix .. ':' .. count
  redis.call('HSET', K_TOK, id, token)
  if store_first then
    redis.call('HSET', K_FR, id, store_first)
  end
  inflight[#inflight + 1] = deadline
  inflight[#inflight + 1] = id
  local n = #messages
  messages[n + 1] = id
  messages[n + 2] = redis.call('HGET', K_MSGS, id)
  messages[n + 3] = count
  messages[n + 4] = first
  messages[n + 5] = token
  messages[n + 6] = redis.call('ZSCORE', K_BYAGE, id)
  if s.fifo then
    messages[n + 7] = redis.call('HGET', K_SEQ, id)
    messages[n + 8] = redis.call('HGET', K_GRP, id)
  else
    messages[n + 7] = ''
    messages[n + 8] = ''
  end
  taken = taken + 1
  return true
end

-- Standard queues: the same as take() for a batch of ids, with one variadic command per structure.
local function take_standard(ids)
  local tokens = redis.call('HMGET', K_TOK, unpack(ids))
  local firsts = redis.call('HMGET', K_FR, unpack(ids))
  local counts = {}
  local live, fr_args, tok_args = {}, {}, {}
  for i, id in ipairs(ids) do
    local count, first, store_first = next_receipt(tokens[i], firsts[i], now)
    if s.max_receive > 0 and count > s.max_receive and s.dlq ~= '' then
      dead[#dead + 1] = to_outbox(id, 'redrive', s.dlq, false)
    else
      local token = token_prefix .. ':' .. count
      live[#live + 1] = id
      tok_args[#tok_args + 1] = id
      tok_args[#tok_args + 1] = token
      if store_first then
        fr_args[#fr_args + 1] = id
        fr_args[#fr_args + 1] = store_first
      end
      firsts[i] = first
      counts[i] = count
      inflight[#inflight + 1] = deadline
      inflight[#inflight + 1] = id
    end
  end
  if #live == 0 then
    return
  end
  redis.call('HSET', K_TOK, unpack(tok_args))
  if #fr_args > 0 then
    redis.call('HSET', K_FR, unpack(fr_args))
  end
  local blobs = redis.call('HMGET', K_MSGS, unpack(live))
  local sents = redis.call('ZMSCORE', K_BYAGE, unpack(live))
  local l = 0
  for i, id in ipairs(ids) do
    if live[l + 1] == id then
      l = l + 1
      local n = #messages
      messages[n + 1] = id
      messages[n + 2] = blobs[l]
      messages[n + 3] = counts[i]
      messages[n + 4] = firsts[i]
      messages[n + 5] = tok_args[l * 2]
      messages[n + 6] = sents[l]
      messages[n + 7] = ''
      messages[n + 8] = ''
      taken = taken + 1
    end
  end
end

-- Dead messages do not count toward max; bound the extra work per call.
local budget = max + 100
if s.fifo then
  while taken < max and budget > 0 do
    local first = redis.call('ZRANGE', K_GROUPS, 0, 0)
    local group = first[1]
    if not group then
      break
    end
    redis.call('ZREM', K_GROUPS, group)
    -- Hold the group while taking from it so a dead-lettered head does not release it mid-batch.
    redis.call('HINCRBY', K_GINFLIGHT, group, 1)
    local ids = redis.call('ZRANGE', group_key(group), 0, max - taken - 1)
    for _, id in ipairs(ids) do
      budget = budget - 1
      if take(id) then
        redis.call('HINCRBY', K_GINFLIGHT, group, 1)
      end
    end
    leave_flight(group)
    -- When every message taken went to the DLQ the group is not in flight: offer its next messages.
    release_group(group)
  end
else
  while taken < max and budget > 0 do
    local popped = redis.call('ZPOPMIN', K_READY, max - taken)
    if #popped == 0 then
      break
    end
    local ids = {}
    for i = 1, #popped, 2 do
      ids[#ids + 1] = popped[i]
    end
    budget = budget - #ids
    take_standard(ids)
  end
end

if #inflight > 0 then
  redis.call('ZADD', K_INFLIGHT, unpack(inflight))
end

local left
if s.fifo then
  left = redis.call('ZCARD', K_GROUPS)
else
  left = redis.call('ZCARD', K_READY)
end
-- When nothing is left visible, the next time something becomes visible by itself (a delay ends, a visibility
-- timeout runs out; this call's own messages included): receivers wait until then unless woken.
local next_due = -1
if left == 0 then
  local d = redis.call('ZRANGE', K_DELAYED, 0, 0, 'WITHSCORES')
  local f = redis.call('ZRANGE', K_INFLIGHT, 0, 0, 'WITHSCORES')
  if d[2] then
    next_due = tonumber(d[2])
  end
  if f[2] and (next_due < 0 or tonumber(f[2]) < next_due) then
    next_due = tonumber(f[2])
  end
end
return { now, next_due, redis.call('HLEN', K_OUT), dead, messages, s.wait_seconds, left }
