-- POST bodies for wrk, and a count of answers that are not what the benchmark expects.
--
-- Environment:
--   BENCH_BODY      the body of every request, or, with BENCH_IDS, a template in which
--                   {id} becomes an id drawn at random from the file BENCH_IDS (one per
--                   line) and {viewer} a viewer key unique to the request:
--                   BENCH_RUN_TAG, the thread number and a per-thread counter.
--   BENCH_EXPECT    an answer must contain this text (optional)
--   BENCH_REJECT    an answer must not contain this text (optional)
-- Any answer other than 200 is unexpected too. done() prints
-- "unexpected answers: <bad> of <checked>".

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  body = os.getenv("BENCH_BODY")
  expect = os.getenv("BENCH_EXPECT")
  reject = os.getenv("BENCH_REJECT")
  if expect == "" then expect = nil end
  if reject == "" then reject = nil end
  tag = (os.getenv("BENCH_RUN_TAG") or "run") .. "-" .. id .. "-"
  counter = 0
  checked = 0
  unexpected = 0
  ids = nil
  local path = os.getenv("BENCH_IDS")
  if path and path ~= "" then
    ids = {}
    for line in io.lines(path) do
      if line ~= "" then table.insert(ids, line) end
    end
    math.randomseed(id * 7919 + os.time())
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if ids == nil then
    return wrk.format(nil, nil, nil, body)
  end
  counter = counter + 1
  local filled = body:gsub("{id}", ids[math.random(#ids)]):gsub("{viewer}", tag .. counter)
  return wrk.format(nil, nil, nil, filled)
end

function response(status, headers, answer)
  checked = checked + 1
  if status ~= 200
    or (expect and not string.find(answer, expect, 1, true))
    or (reject and string.find(answer, reject, 1, true)) then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad, total = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    total = total + thread:get("checked")
  end
  io.write(string.format("unexpected answers: %d of %d\n", bad, total))
end
