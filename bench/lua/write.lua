-- POST /xponent/org with a name unique per request: $BENCH_PREFIX-<thread>-<counter>.
-- 409 answers are counted (read by common.lua's done) besides wrk's own error count.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local prefix, n = os.getenv("BENCH_PREFIX"), 0
conflicts = 0

function request()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"name":"%s-%d-%d"}', prefix, id, n))
end

function response(status)
  if status == 409 then
    conflicts = conflicts + 1
  end
end
