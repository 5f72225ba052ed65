-- Neovim 0.7.2 headless: the native rename (vim.lsp.buf.rename) through `zeph-tui lsp`.
-- ZEPH_SETUP is the README's "Neovim" block, run as a user's init would. Env: ZEPH_ROOT, ZEPH_FILE,
-- ZEPH_LINE / ZEPH_CHAR (0-based cursor), ZEPH_NEW (new name), ZEPH_OUT (result JSON).
local env = vim.env
local out = { messages = {}, logs = {}, requests = {} }
local function finish(code)
  out.code = code
  local f = io.open(env.ZEPH_OUT, "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qall!")
end

-- The confirmation: record what the face asks and answer "Apply" (a person picking it
-- in the inputlist that nvim 0.7's default handler shows).
vim.lsp.handlers["window/showMessageRequest"] = function(_, params)
  table.insert(out.requests, { message = params.message, actions = params.actions })
  for _, action in ipairs(params.actions) do
    if action.title == "Apply" then return action end
  end
  return vim.NIL
end
vim.lsp.handlers["window/showMessage"] = function(_, params)
  table.insert(out.messages, params.message)
end
vim.lsp.handlers["window/logMessage"] = function(_, params)
  table.insert(out.logs, params.message)
end
local rename_handler = vim.lsp.handlers["textDocument/rename"]
local t0, replied
vim.lsp.handlers["textDocument/rename"] = function(err, result, ctx, config)
  out.reply_ms = (vim.loop.hrtime() - t0) / 1e6
  out.rename_error = err and err.message or nil
  rename_handler(err, result, ctx, config)
  replied = true
end

local ok, err = pcall(function()
  local root = env.ZEPH_ROOT
  vim.cmd("filetype on")  -- -u NONE leaves it off; a user's init has it
  dofile(env.ZEPH_SETUP)
  vim.cmd("edit " .. root .. "/" .. env.ZEPH_FILE)
  local id = vim.g.zeph_client
  assert(id, "the README setup started no client")
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(20000, function() return client.initialized end, 50), "no initialize")
  out.prepare_provider = client.resolved_capabilities.rename
  vim.api.nvim_win_set_cursor(0, { tonumber(env.ZEPH_LINE) + 1, tonumber(env.ZEPH_CHAR) })
  -- the face analyses each opened document in the background and says so in the log
  out.warm = vim.wait(60000, function()
    for _, m in ipairs(out.logs) do if m:find("^zeph: servers warm:") then return true end end
    return false
  end, 20)
  t0 = vim.loop.hrtime()
  vim.lsp.buf.rename(env.ZEPH_NEW)
  assert(vim.wait(60000, function() return replied end, 20), "rename timed out")
  vim.cmd("silent wall")
  out.summary_seen = vim.wait(30000, function()
    for _, m in ipairs(out.messages) do if m:find("^Renamed ") then return true end end
    return false
  end, 50)
  out.diagnostics_seen = vim.wait(30000, function()
    for _, m in ipairs(out.logs) do if m:find("^diagnostics after renaming") then return true end end
    return false
  end, 50)
  vim.lsp.stop_client(id)
  out.stopped = vim.wait(15000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
end)
if not ok then out.failure = tostring(err) end
finish(ok and 0 or 1)
