-- frontline language server, for Neovim 0.11+.
--
-- Put the folder holding this file (editors/nvim) on 'runtimepath', then:
--
--   vim.lsp.enable('frontline')
--
-- Override any field with vim.lsp.config('frontline', { ... }), e.g.
--
--   vim.lsp.config('frontline', {
--     settings = { frontline = { style = 'reuters' } },
--   })
--
-- frontline reads its settings from the initialization options and from
-- workspace/didChangeConfiguration, so `settings` is also sent as
-- `init_options` when the client starts (see before_init below).

---@type vim.lsp.Config
return {
  cmd = { 'frontline', 'lsp' },
  filetypes = { 'markdown', 'text' },
  root_markers = { 'frontline.toml', '.git' },
  before_init = function(params, config)
    -- Send the settings at startup too, so the first diagnostics already use
    -- the chosen house style (unless the user set init_options explicitly).
    local init = params.initializationOptions
    if (init == nil or vim.tbl_isempty(init)) and config.settings and not vim.tbl_isempty(config.settings) then
      params.initializationOptions = config.settings
    end
  end,
}
