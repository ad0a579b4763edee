-- wrk script: request the paths listed in the file named by PATHS, in a random order per thread.
local paths = {}

function init(args)
  local file = io.open(os.getenv("PATHS"), "r")
  for line in file:lines() do
    if #line > 0 then paths[#paths + 1] = line end
  end
  file:close()
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8)) or 0))
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end

-- Non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
