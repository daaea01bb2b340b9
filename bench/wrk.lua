-- wrk script of the benchmark: `BENCH_MODE=MODE wrk ... -s wrk.lua URL -- TOKEN ARG...`
--   get PATH              one GET, repeated (S1, S5)
--   ids LOW HIGH          GET /contacts/{id}, a random id of LOW..HIGH (S2)
--   create RUN            POST /contacts/, each body unique (S3)
--   login FIRST COUNT     POST /login, rotating over COUNT users (S4)
--   probe PATH PAUSE_MS   a paced GET, as a health checker sends (S4)
-- done() prints one line of JSON: what the harness reads.

-- The mode comes from the environment: wrk decides whether the script has a
-- delay() before any thread's init() runs.
local mode = os.getenv("BENCH_MODE")
local unpack = table.unpack or unpack
local threads = {}
local token, args
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(argv)
  token, args = argv[1], { unpack(argv, 2) }
  if token ~= "-" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(tid * 7919)
  if mode == "get" or mode == "probe" then
    fixed = wrk.format("GET", args[1])
  end
end

function request()
  counter = counter + 1
  if mode == "ids" then
    local id = math.random(tonumber(args[1]), tonumber(args[2]))
    return wrk.format("GET", "/contacts/" .. id)
  elseif mode == "create" then
    -- Unique per run, thread and request: no body is a duplicate of another.
    local n = string.format("%03d%d%07d", tonumber(args[1]), tid, counter)
    local body = string.format(
      '{"name":"Load %s","phone_number":"+1%s","email":"load%s@example.com"}', n, n, n)
    return wrk.format("POST", "/contacts/", nil, body)
  elseif mode == "login" then
    local user = tonumber(args[1]) + (tid * 1000 + counter) % tonumber(args[2])
    local body = string.format(
      '{"email":"user%d@bench.example.com","password":"bench password 4 the load run"}', user)
    return wrk.format("POST", "/login", nil, body)
  end
  return fixed
end

if mode == "probe" then
  function delay()
    return tonumber(args[2])
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local points = {}
  for _, p in ipairs({ 50, 75, 90, 95, 99, 99.9 }) do
    table.insert(points, string.format('"%s":%d', p, latency:percentile(p)))
  end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"status_errors":%d,"percentiles_us":{%s}}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status,
    e.status, table.concat(points, ",")))
end
