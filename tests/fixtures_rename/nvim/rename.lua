-- Neovim 0.7.2 as a real LSP client of `zeph-tui lsp` (headless).
-- Env: ZEPH_PY (python), ZEPH_ROOT (project), ZEPH_FILE (relative path),
-- ZEPH_LINE / ZEPH_CHAR (0-based LSP position), ZEPH_NEW (new name), ZEPH_OUT (result JSON).
local env = vim.env
local out = {}
local function finish(code)
  out.code = code
  local f = io.open(env.ZEPH_OUT, "w")
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd("qall!")
end

-- the face asks Apply / Cancel with the call sites; answer Apply
vim.lsp.handlers["window/showMessageRequest"] = function(_, params)
  out.confirmation = params.message
  for _, action in ipairs(params.actions) do
    if action.title == "Apply" then return action end
  end
  return vim.NIL
end

local ok, err = pcall(function()
  local root = env.ZEPH_ROOT
  local id = vim.lsp.start_client({
    name = "zeph",
    cmd = { env.ZEPH_PY, "-m", "zeph_tui", "lsp", "--workspace", root },
    root_dir = root,
  })
  assert(id, "start_client failed")
  vim.cmd("edit " .. root .. "/" .. env.ZEPH_FILE)
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, id)
  local client = vim.lsp.get_client_by_id(id)
  assert(vim.wait(20000, function() return client.initialized end, 50), "no initialize")
  local uri = vim.uri_from_bufnr(bufnr)
  local pos = { line = tonumber(env.ZEPH_LINE), character = tonumber(env.ZEPH_CHAR) }
  local actions = client.request_sync("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = { start = pos, ["end"] = pos },
    context = { diagnostics = {} },
  }, 20000, bufnr)
  assert(actions and actions.result, "no code actions: " .. vim.inspect(actions))
  local action
  for _, a in ipairs(actions.result) do
    if a.title:find("call sites") then action = a end
  end
  assert(action, "no rename action in " .. vim.inspect(actions.result))
  out.title = action.title
  out.kind = action.kind
  local args = vim.deepcopy(action.command.arguments)
  table.insert(args, env.ZEPH_NEW)
  local done, result
  client.request("workspace/executeCommand", { command = action.command.command, arguments = args },
    function(e, r) done = true; result = r; out.error = e and vim.inspect(e) or nil end, bufnr)
  assert(vim.wait(60000, function() return done end, 50), "command timed out")
  out.result = result
  vim.cmd("silent wall")
  vim.lsp.stop_client(id)
  out.stopped = vim.wait(15000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
end)
if not ok then out.failure = tostring(err) end
finish(ok and 0 or 1)
