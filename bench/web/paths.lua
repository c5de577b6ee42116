-- wrk script: request the paths listed in $WRK_PATHS (one a line), round robin, each thread
-- starting at its own offset. WRK_BUST=1 appends a unique "r=N" parameter to every request, so
-- paperboy's page cache never has the page (the cold cost); nginx ignores it. At the end prints
-- one machine-readable line: RESULT req/s p50_ms p99_ms errors requests
local paths = {}
local counter = 0
local bust = os.getenv("WRK_BUST") == "1"
local nthreads = 0
local me = 1

local function load()
  local f = assert(io.open(os.getenv("WRK_PATHS") or "paths.txt"))
  for line in f:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  f:close()
end

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

function init(args)
  load()
  me = tonumber(tid) or 1 -- the global setup() gave this thread
  counter = me * 7919 -- threads walk the list from different places
end

function request()
  counter = counter + 1
  local p = paths[(counter % #paths) + 1]
  if bust then
    p = p .. (p:find("?", 1, true) and "&" or "?") .. "r=" .. me .. "-" .. counter
  end
  return wrk.format("GET", p)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errs = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errs, summary.requests))
end
