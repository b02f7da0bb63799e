-- Loaded automatically from 'runtimepath' on Neovim 0.10+ (no setup() call needed for this part):
-- highlight links for frontline's semantic token types, and :FrontlineStyle.
if vim.g.loaded_frontline then
  return
end
vim.g.loaded_frontline = true

require('frontline').setup_highlights()

vim.api.nvim_create_user_command('FrontlineStyle', function(args)
  local n = require('frontline').set_style(args.args)
  if n == 0 then
    vim.notify('frontline: no running frontline client', vim.log.levels.WARN)
  end
end, {
  nargs = '?',
  desc = 'frontline: set the house style (ap, reuters, bbc, nyt, guardian; no argument for none)',
  complete = function()
    return { 'ap', 'reuters', 'bbc', 'nyt', 'guardian' }
  end,
})
