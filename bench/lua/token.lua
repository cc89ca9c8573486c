-- POST /xponent/token with bodies made before the clock starts ($BENCH_BODIES, one a line):
-- thread `id` of $BENCH_THREADS takes every line i with i % threads == id, so no nonce is sent
-- twice unless the file runs out (then replays answer 401 and show as errors).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local bodies, last = {}, 0

function init(args)
  local count, i = tonumber(os.getenv("BENCH_THREADS")), 0
  for line in io.lines(os.getenv("BENCH_BODIES")) do
    if i % count == id then
      bodies[#bodies + 1] = line
    end
    i = i + 1
  end
end

function request()
  last = last % #bodies + 1
  return wrk.format(nil, nil, nil, bodies[last])
end
