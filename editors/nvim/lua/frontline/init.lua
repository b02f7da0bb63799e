--- frontline for Neovim: highlight links for frontline's semantic tokens, and `setup()`
--- for starting the server on Neovim 0.10 (where `vim.lsp.config`/`vim.lsp.enable`
--- do not exist yet).
---
--- Neovim 0.11+:  vim.lsp.enable('frontline')          (config in lsp/frontline.lua)
--- Neovim 0.10:   require('frontline').setup({ style = 'reuters' })
---
--- `setup()` works on 0.11 too; there it goes through vim.lsp.config/vim.lsp.enable
--- unless `use_lsp_start = true` is given.
local M = {}

--- Token types in frontline's semantic-token legend, each linked to the highlight group of its
--- standard LSP super-type, so any colour scheme that colours LSP tokens colours these too.
--- `default = true`: a colour scheme or user config that defines the group wins.
M.links = {
  ['@lsp.type.armedGroup'] = '@lsp.type.class', -- -> @type
  ['@lsp.type.stateForce'] = '@lsp.type.struct', -- -> @type
  ['@lsp.type.state'] = '@lsp.type.namespace', -- -> @module
  ['@lsp.type.person'] = '@lsp.type.variable', -- -> @variable
  ['@lsp.type.place'] = '@lsp.type.enumMember', -- -> @constant
  ['@lsp.type.media'] = '@lsp.type.interface', -- -> @type
  ['@lsp.type.politicalBody'] = '@lsp.type.type', -- -> @type
  ['@lsp.type.coalition'] = '@lsp.type.enum', -- -> @type
  ['@lsp.type.internationalOrg'] = '@lsp.type.typeParameter', -- -> @type.definition
}

--- Groups that are attributes rather than links. `ambiguous`: the form names several actors.
M.attrs = {
  ['@lsp.mod.ambiguous'] = { underdotted = true },
}

M.defaults = {
  cmd = { 'frontline', 'lsp' },
  filetypes = { 'markdown', 'text' },
  root_markers = { 'frontline.toml', '.git' },
  style = nil, -- 'ap' | 'reuters' | 'bbc' | 'nyt' | 'guardian'
  prefer = nil, -- e.g. { ['islamic-state'] = 'ISIS' }
  inlay_hints = nil, -- true: the server sends canonical names as inlay hints
  rules = nil, -- e.g. { attribution = 'off', ['naming/house-style'] = 'warning' }, over frontline.toml
  knowledge_base = nil, -- your own knowledge-base files (absolute paths)
  allow_knowledge_base_outside_project = nil, -- true: a frontline.toml may name files outside its folder
  capabilities = nil, -- merged over Neovim's client capabilities
  on_attach = nil, -- function(client, bufnr)
  use_lsp_start = false, -- on 0.11+, use the 0.10 code path (vim.lsp.start) anyway
}

--- Defines the highlight links (idempotent; `default = true` so themes win).
function M.set_highlights()
  for group, target in pairs(M.links) do
    vim.api.nvim_set_hl(0, group, { link = target, default = true })
  end
  for group, attrs in pairs(M.attrs) do
    vim.api.nvim_set_hl(0, group, vim.tbl_extend('force', attrs, { default = true }))
  end
end

local hl_group_created = false
--- Sets the highlight links now and again after every `:colorscheme` (which clears them).
function M.setup_highlights()
  M.set_highlights()
  if hl_group_created then
    return
  end
  hl_group_created = true
  vim.api.nvim_create_autocmd('ColorScheme', {
    group = vim.api.nvim_create_augroup('frontline.highlights', { clear = true }),
    callback = M.set_highlights,
  })
end

--- The `settings` table frontline reads: `{ frontline = { style = ..., prefer = ..., inlayHints = ... } }`.
function M.settings(opts)
  local s = {}
  if opts.style and opts.style ~= '' then
    s.style = opts.style
  end
  if opts.prefer and not vim.tbl_isempty(opts.prefer) then
    s.prefer = opts.prefer
  end
  if opts.inlay_hints ~= nil then
    s.inlayHints = opts.inlay_hints
  end
  if opts.rules and not vim.tbl_isempty(opts.rules) then
    s.rules = opts.rules
  end
  if opts.knowledge_base and #opts.knowledge_base > 0 then
    s.knowledgeBase = opts.knowledge_base
  end
  if opts.allow_knowledge_base_outside_project ~= nil then
    s.allowKnowledgeBaseOutsideProject = opts.allow_knowledge_base_outside_project
  end
  return { frontline = s }
end

local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if vim.fs.root then -- 0.10+
    local root = vim.fs.root(bufnr, markers)
    if root then
      return root
    end
  else
    local found = vim.fs.find(markers, { path = vim.fs.dirname(name), upward = true })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return name ~= '' and vim.fs.dirname(name) or (vim.uv or vim.loop).cwd()
end

local function capabilities(extra)
  local caps = vim.lsp.protocol.make_client_capabilities()
  if extra then
    caps = vim.tbl_deep_extend('force', caps, extra)
    -- A list given by the user replaces Neovim's list (tbl_deep_extend would merge by index).
    local enc = vim.tbl_get(extra, 'general', 'positionEncodings')
    if enc then
      caps.general.positionEncodings = enc
    end
  end
  return caps
end

--- Starts frontline for markdown and text buffers.
---@param opts? table see M.defaults
function M.setup(opts)
  opts = vim.tbl_extend('force', M.defaults, opts or {})
  M.setup_highlights()
  local settings = M.settings(opts)

  if vim.lsp.config and vim.lsp.enable and not opts.use_lsp_start then
    local cfg = {
      cmd = opts.cmd,
      filetypes = opts.filetypes,
      root_markers = opts.root_markers,
      settings = settings,
      init_options = settings,
      on_attach = opts.on_attach,
    }
    if opts.capabilities then
      cfg.capabilities = opts.capabilities
    end
    vim.lsp.config('frontline', cfg)
    vim.lsp.enable('frontline')
    return
  end

  local group = vim.api.nvim_create_augroup('frontline.start', { clear = true })
  local function start(bufnr)
    if vim.bo[bufnr].buftype ~= '' then
      return
    end
    vim.lsp.start({
      name = 'frontline',
      cmd = opts.cmd,
      root_dir = find_root(bufnr, opts.root_markers),
      settings = settings,
      init_options = settings,
      capabilities = capabilities(opts.capabilities),
      on_attach = opts.on_attach,
    }, { bufnr = bufnr })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      start(args.buf)
    end,
  })
  -- Buffers already open when setup() runs (e.g. setup called from a lazy-loaded plugin spec).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      start(bufnr)
    end
  end
end

--- Changes the house style of every running frontline client (workspace/didChangeConfiguration).
---@param style string|nil '' or nil for none
function M.set_style(style)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local n = 0
  for _, client in ipairs(get({ name = 'frontline' })) do
    local settings = vim.deepcopy(client.settings or client.config.settings or {})
    settings.frontline = settings.frontline or {}
    settings.frontline.style = (style ~= '' and style) or nil
    client.settings = settings
    if client.config then
      client.config.settings = settings
    end
    if vim.fn.has('nvim-0.11') == 1 then
      client:notify('workspace/didChangeConfiguration', { settings = settings })
    else
      client.notify('workspace/didChangeConfiguration', { settings = settings })
    end
    n = n + 1
  end
  return n
end

return M
