-- Replaces a function's instance registry with the given records and announces the change, atomically: gateways
-- never see a half-written set, and an unchanged set publishes nothing (reconciles are idempotent).
-- KEYS[1]  kappa:{<ns>/<name>}:instances (hash: instance id -> JSON InstanceRecord)
-- ARGV[1]  channel to publish on (kappa:instances)
-- ARGV[2]  message ("<ns>/<name>")
-- ARGV[3..] id, record, id, record, ...
-- Returns 1 when the registry changed (and was published), 0 when it already matched.
local current = redis.call('HGETALL', KEYS[1])
local wanted = {}
local wantedCount = 0
for i = 3, #ARGV, 2 do
  wanted[ARGV[i]] = ARGV[i + 1]
  wantedCount = wantedCount + 1
end
local same = (#current / 2) == wantedCount
if same then
  for i = 1, #current, 2 do
    if wanted[current[i]] ~= current[i + 1] then
      same = false
      break
    end
  end
end
if same then
  return 0
end
redis.call('DEL', KEYS[1])
if wantedCount > 0 then
  local args = {}
  for i = 3, #ARGV do
    args[#args + 1] = ARGV[i]
  end
  redis.call('HSET', KEYS[1], unpack(args))
end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
