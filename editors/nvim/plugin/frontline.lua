-- Loaded automatically from 'runtimepath' on Neovim 0.10+ (no setup() call needed for this part):
-- highlight links for frontline's semantic token types, :FrontlineStyle, and the code lens's
-- command.
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

-- The command of the code lens at the top of a story ("4 actors named · …"): pick one of the
-- story's actors and go to its first mention. Run the lens with vim.lsp.codelens.run().
vim.lsp.commands['frontline.showActors'] = function(command, ctx)
  local args = command.arguments or {}
  local uri, actors = args[1], args[2] or {}
  if type(uri) ~= 'string' or #actors == 0 then
    return
  end
  vim.ui.select(actors, {
    prompt = 'Actors named in this story',
    format_item = function(a)
      return string.format('%s (%s, %d mention%s)', a.name, a.kind, a.count, a.count == 1 and '' or 's')
    end,
  }, function(a)
    if not a then
      return
    end
    local client = vim.lsp.get_client_by_id(ctx.client_id)
    local encoding = client and client.offset_encoding or 'utf-16'
    vim.lsp.util.show_document({ uri = uri, range = a.range }, encoding, { focus = true })
  end)
end
