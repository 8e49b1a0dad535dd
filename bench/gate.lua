-- wrk script for bench/filling.py: POST /api/cylinders/gate/ with a random cylinder code from a
-- file and a unique idempotency key per request, count allow / deny / other answers per thread,
-- and print one line "WRK {json}" at the end (latencies in microseconds).
--   wrk -t2 -c16 -d15s -s bench/gate.lua http://127.0.0.1:PORT -- TOKEN STATION OPERATOR CODES_FILE RUN_ID [DELAY_MS]
-- DELAY_MS paces each connection (a pause before each request) for a run below saturation.
-- Without arguments after "--" it GETs /healthz (the floor) and reports the same line.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local codes, token, station, operator, prefix
local counter = 0
local floor = true
local pause = 0
-- Globals, so done() can read them from each thread with thread:get().
allow, deny, other = 0, 0, 0

function init(args)
  allow, deny, other = 0, 0, 0
  if #args >= 5 then
    floor = false
    token, station, operator = args[1], args[2], args[3]
    codes = {}
    for line in io.lines(args[4]) do
      if #line > 0 then codes[#codes + 1] = line end
    end
    prefix = args[5] .. "-" .. tostring(tid)
    pause = tonumber(args[6] or "0")
    math.randomseed(os.time() * 100 + tid)
  end
end

function delay()
  return pause
end

function request()
  if floor then
    return wrk.format("GET", "/healthz")
  end
  counter = counter + 1
  local body = string.format(
    '{"code":"%s","station":%s,"operator":%s,"idempotency_key":"%s-%d","scanned_at":"%s"}',
    codes[math.random(#codes)], station, operator, prefix, counter, os.date("!%Y-%m-%dT%H:%M:%SZ")
  )
  return wrk.format("POST", "/api/cylinders/gate/", {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  local decision = status == 200 and (floor and "allow" or body:match('"decision":%s*"(%a+)"'))
  if decision == "allow" then
    allow = allow + 1
  elseif decision == "deny" then
    deny = deny + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, d, o = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("allow")
    d = d + t:get("deny")
    o = o + t:get("other")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"allow":%d,"deny":%d,'
      .. '"other":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"bad_status":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    a, d, o, e.connect, e.read, e.write, e.timeout, e.status
  ))
end
