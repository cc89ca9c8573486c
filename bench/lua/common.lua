-- Shared by every scenario: numbers the threads (as `id`) and, when the run ends, writes one
-- JSON summary to $BENCH_OUT for bench-tool. Latencies are in microseconds.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local conflicts = 0
  for _, thread in ipairs(threads) do
    conflicts = conflicts + (thread:get("conflicts") or 0)
  end
  local e = summary.errors
  local out = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  out:write(string.format(
    '{"requests":%.0f,"duration_us":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"p50_us":%.0f,"p99_us":%.0f,"conflicts":%.0f}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), conflicts))
  out:close()
end
