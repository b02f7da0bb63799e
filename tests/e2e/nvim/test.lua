-- End-to-end test of frontline in a real Neovim (0.11+), driven by tests/e2e/nvim/run.sh.
--
-- Environment (set by run.sh):
--   FRONTLINE_BIN           the server binary
--   FRONTLINE_E2E_SEED      the article to open (a copy of seeds/articles/000_*.txt)
--   FRONTLINE_E2E_ROOT      the folder the copy sits in (it holds a `.git` marker)
--   FRONTLINE_E2E_ENCODING  'default' (Neovim's own offer: utf-8, utf-16, utf-32) or 'utf-16'
--   FRONTLINE_E2E_MODE      'enable'   (0.11: lsp/frontline.lua + vim.lsp.enable), full checks;
--                           'settings' (the same, with settings in vim.lsp.config: style + prefer);
--                           'setup'    (require('frontline').setup{ use_lsp_start = true }, the 0.10 path)
--
-- Prints `PASS <run> <name>` / `FAIL <run> <name>: <why>` per check, then `nvim-e2e (<run>): N passed, M failed`
-- (per run; run.sh adds them up) and exits with :cquit on any failure.

local bin = assert(os.getenv('FRONTLINE_BIN'), 'FRONTLINE_BIN not set')
local seed = assert(os.getenv('FRONTLINE_E2E_SEED'), 'FRONTLINE_E2E_SEED not set')
local root = os.getenv('FRONTLINE_E2E_ROOT')
local enc = os.getenv('FRONTLINE_E2E_ENCODING') or 'default'
local mode = os.getenv('FRONTLINE_E2E_MODE') or 'enable'
local label = mode .. '/' .. enc
local expected_enc = (enc == 'utf-16') and 'utf-16' or 'utf-8'

local client --- @type vim.lsp.Client
local passed, failed = 0, 0
local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end
local verbose = (os.getenv('FRONTLINE_E2E_VERBOSE') or '') ~= ''
local function note(what)
  if verbose then
    out('  # ' .. label .. ' ' .. tostring(what):gsub('\n', '\\n'))
  end
end
local function pass(name)
  passed = passed + 1
  out('PASS ' .. label .. ' ' .. name)
end
local function fail(name, why)
  failed = failed + 1
  out('FAIL ' .. label .. ' ' .. name .. ': ' .. tostring(why):gsub('\n', ' '))
end
--- check(name, ok, why) or check(name, fn) where fn returns ok, why (errors count as failures)
local function check(name, ok, why)
  if type(ok) == 'function' then
    local pok, r1, r2 = pcall(ok)
    if not pok then
      return fail(name, 'error: ' .. tostring(r1))
    end
    ok, why = r1, r2
  end
  if ok then
    pass(name)
  else
    fail(name, why or 'false')
  end
  return ok
end

local function finish()
  out(string.format('nvim-e2e (%s): %d passed, %d failed', label, passed, failed))
  if failed > 0 then
    vim.cmd('cquit 1')
  else
    vim.cmd('qall!')
  end
end

-- Watchdog: timers run inside vim.wait and buf_request_sync, so a stuck step still ends the run.
local watchdog = vim.uv.new_timer()
watchdog:start(
  tonumber(os.getenv('FRONTLINE_E2E_TIMEOUT_MS') or '45000'),
  0,
  vim.schedule_wrap(function()
    fail('watchdog', 'run took too long; giving up')
    finish()
  end)
)

-- Record every publishDiagnostics (its version) before Neovim's own handler stores them.
local publishes = {} --- @type {version: integer?, n: integer}[]
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, params, ctx, ...)
  if params and vim.uri_to_fname(params.uri) == vim.fn.fnamemodify(seed, ':p') then
    publishes[#publishes + 1] = { version = params.version, n = #params.diagnostics }
  end
  return default_publish(err, params, ctx, ...)
end

local function text_in(buf, r) -- r: vim.Diagnostic-like 0-based, byte columns, end exclusive
  local ok, t = pcall(vim.api.nvim_buf_get_text, buf, r.lnum, r.col, r.end_lnum, r.end_col, {})
  return ok and table.concat(t, '\n') or ('<bad range ' .. vim.inspect(r) .. '>')
end

local function find_nth(buf, needle, n) -- -> 0-based row, byte col of the nth plain occurrence
  local seen = 0
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local from = 1
    while true do
      local s = line:find(needle, from, true)
      if not s then
        break
      end
      seen = seen + 1
      if seen == n then
        return i - 1, s - 1
      end
      from = s + 1
    end
  end
end

local function pos_to_byte(b, pos) -- LSP position (client encoding) -> byte column
  local line = vim.api.nvim_buf_get_lines(b, pos.line, pos.line + 1, false)[1] or ''
  return vim.str_byteindex(line, client.offset_encoding, pos.character, false)
end

local function codes(diags)
  local c = {}
  for _, d in ipairs(diags) do
    c[#c + 1] = string.format('%d:%s', d.lnum + 1, tostring(d.code))
  end
  return table.concat(c, ', ')
end

local function buf_version(buf)
  return vim.lsp.util.buf_versions[buf]
end

-- Wait until a publishDiagnostics for the buffer's current version has been handled.
local function wait_publish(buf, ms)
  return vim.wait(ms, function()
    local last = publishes[#publishes]
    return last ~= nil and last.version == buf_version(buf)
  end, 20)
end

local function main()
  -- ---------------------------------------------------------------------------------------------
  -- Start the client.

  if mode == 'setup' then
    local opts = { cmd = { bin, 'lsp' }, style = 'reuters', use_lsp_start = true }
    if enc == 'utf-16' then
      opts.capabilities = { general = { positionEncodings = { 'utf-16' } } }
    end
    require('frontline').setup(opts)
  else
    local cfg = { cmd = { bin, 'lsp' } }
    if mode == 'settings' then
      cfg.settings = { frontline = { style = 'reuters', prefer = { ['islamic-state'] = 'ISIS' } } }
    end
    if enc == 'utf-16' then
      cfg.capabilities = { general = { positionEncodings = { 'utf-16' } } }
    end
    vim.lsp.config('frontline', cfg)
    vim.lsp.enable('frontline')
  end

  vim.cmd.edit(vim.fn.fnameescape(seed))
  local buf = vim.api.nvim_get_current_buf()
  local original = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  check('filetype', vim.bo[buf].filetype == 'text', 'filetype is ' .. vim.bo[buf].filetype)

  local attached = vim.wait(15000, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'frontline' })[1]
    return client ~= nil and client.initialized == true
  end, 20)
  if not check('attach', attached, 'no initialized frontline client on the buffer after 15 s') then
    return
  end

  check('encoding', client.offset_encoding == expected_enc, 'negotiated ' .. tostring(client.offset_encoding))
  if root then
    check('root-dir', client.root_dir == root, 'root_dir ' .. tostring(client.root_dir) .. ', expected ' .. root)
  end

  local got_diags = wait_publish(buf, 15000)
  check('diagnostics-arrive', got_diags, 'no publishDiagnostics for version ' .. tostring(buf_version(buf)))

  local mixed_code = 'naming/mixed-names'
  local function mixed(diags)
    return vim.tbl_filter(function(d)
      return d.code == mixed_code
    end, diags)
  end

  local function reuters_hint(ds)
    for _, d in ipairs(ds) do
      if d.code == 'naming/house-style' and d.lnum == 2 and d.message:find('Reuters', 1, true) then
        return d
      end
    end
  end

  -- ---------------------------------------------------------------------------------------------
  -- Mode 'setup': the 0.10 code path, house style from setup(), :FrontlineStyle.

  if mode == 'setup' then
    local diags = vim.diagnostic.get(buf)
    check('setup-mixed-names', #mixed(diags) == 3, 'codes: ' .. codes(diags))
    local hint = reuters_hint(diags)
    check('setup-style-reuters', hint ~= nil, 'no Reuters house-style hint on line 3; codes: ' .. codes(diags))
    if hint then
      check('setup-style-range', text_in(buf, hint) == 'al-Qaeda', 'hint covers ' .. text_in(buf, hint))
    end
    local n_before = #publishes
    vim.cmd('FrontlineStyle nyt')
    local republished = vim.wait(10000, function()
      return #publishes > n_before and reuters_hint(vim.diagnostic.get(buf)) == nil
    end, 20)
    local after = vim.diagnostic.get(buf)
    check(
      'setup-FrontlineStyle',
      republished and #mixed(after) == 3,
      'after :FrontlineStyle nyt, codes: ' .. codes(after)
    )
    return
  end

  -- ---------------------------------------------------------------------------------------------
  -- Mode 'settings': vim.lsp.config settings reach the server (style and prefer).

  if mode == 'settings' then
    local diags = vim.diagnostic.get(buf)
    check('settings-style', reuters_hint(diags) ~= nil, 'no Reuters house-style hint on line 3; codes: ' .. codes(diags))
    check('settings-prefer', function()
      local m = mixed(diags)
      for _, d in ipairs(m) do
        if not d.message:find("house style's `ISIS`", 1, true) then
          return false, 'message: ' .. d.message
        end
        if d.lnum == 0 or d.lnum == 14 then
          return false, 'ISIS flagged on line ' .. (d.lnum + 1) .. ' although preferred'
        end
      end
      return #m == 11, #m .. ' mixed-names, expected 11: ' .. codes(diags)
    end)
    -- :FrontlineStyle with no argument drops the style and keeps `prefer`
    local n_before = #publishes
    vim.cmd('FrontlineStyle')
    local republished = vim.wait(10000, function()
      return #publishes > n_before and reuters_hint(vim.diagnostic.get(buf)) == nil
    end, 20)
    local after = vim.diagnostic.get(buf)
    check('settings-FrontlineStyle-none', republished and #mixed(after) == 11, 'after :FrontlineStyle, codes: ' .. codes(after))
    return
  end

  -- ---------------------------------------------------------------------------------------------
  -- Diagnostics.

  local diags = vim.diagnostic.get(buf)
  table.sort(diags, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  check('diagnostics-count', #diags == 3 and #mixed(diags) == 3, 'got ' .. #diags .. ': ' .. codes(diags))
  check('diagnostics-source', function()
    for _, d in ipairs(diags) do
      if d.source ~= 'frontline' then
        return false, 'source ' .. tostring(d.source)
      end
    end
    return true
  end)
  check('diagnostics-ranges', function()
    local want = { [0] = 'ISIS', [2] = 'Islamic State of Iraq and the Levant', [14] = 'ISIS' }
    local bad = {}
    for _, d in ipairs(diags) do
      local t = text_in(buf, d)
      if want[d.lnum] ~= t then
        bad[#bad + 1] = string.format('line %d covers %q', d.lnum + 1, t)
      end
    end
    return #bad == 0 and #diags == 3, table.concat(bad, '; ')
  end)
  check('no-diagnostic-on-#ISIL', function()
    for _, d in ipairs(diags) do
      if original[d.lnum + 1]:find('#ISIL', 1, true) then
        return false, 'diagnostic ' .. tostring(d.code) .. ' on line ' .. (d.lnum + 1)
      end
    end
    return true
  end)

  -- ---------------------------------------------------------------------------------------------
  -- Hover on the second "ISIL" (line 17, `#ISIL` after a curly quote: a multi-byte character
  -- before it, so utf-8 and utf-16 columns differ).

  check('hover-ISIL', function()
    local row, col = find_nth(buf, 'ISIL', 2)
    if not row then
      return false, 'no second ISIL in the buffer'
    end
    vim.api.nvim_win_set_cursor(0, { row + 1, col + 1 }) -- inside the word
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local res, err = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000)
    if not res then
      return false, 'no answer: ' .. tostring(err)
    end
    local r = res[client.id]
    if not r or r.err then
      return false, 'error: ' .. vim.inspect(r and r.err)
    end
    local result = r.result
    if not result then
      return false, 'null hover at ' .. vim.inspect(params.position)
    end
    local c = result.contents
    local value = type(c) == 'string' and c or c.value or vim.inspect(c)
    note('hover at ' .. vim.inspect(params.position) .. ': ' .. value:sub(1, 300))
    if not value:find('### Islamic State\n', 1, true) and not value:match('### Islamic State$') then
      return false, 'card does not contain "### Islamic State": ' .. value:sub(1, 200)
    end
    return true
  end)

  -- ---------------------------------------------------------------------------------------------
  -- Document highlight on "Aleppo" (line 1): every mention, including `#Aleppo` on line 17.

  check('document-highlight', function()
    local row, col = find_nth(buf, 'Aleppo', 1)
    vim.api.nvim_win_set_cursor(0, { row + 1, col })
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local res = vim.lsp.buf_request_sync(buf, 'textDocument/documentHighlight', params, 5000)
    local r = res and res[client.id]
    if not r or r.err or not r.result then
      return false, 'no result: ' .. vim.inspect(r)
    end
    local texts = {}
    for _, h in ipairs(r.result) do
      local s = h.range.start
      local e = h.range['end']
      local sc, ec = pos_to_byte(buf, s), pos_to_byte(buf, e)
      texts[#texts + 1] = text_in(buf, { lnum = s.line, col = sc, end_lnum = e.line, end_col = ec })
      note('highlight ' .. vim.inspect(h.range) .. ' -> ' .. texts[#texts])
    end
    local n_aleppo = #vim.tbl_filter(function(t)
      return t == 'Aleppo'
    end, texts)
    return #texts == 4 and n_aleppo == 4, 'highlights cover: ' .. table.concat(texts, ' | ')
  end)

  -- ---------------------------------------------------------------------------------------------
  -- Semantic tokens: applied by Neovim (get_at_pos on its decoded result; extmarks after a redraw).

  local function token_at(row, col)
    for _, t in ipairs(vim.lsp.semantic_tokens.get_at_pos(buf, row, col) or {}) do
      if t.client_id == client.id then
        return t
      end
    end
  end

  local aleppo_row, aleppo_col = find_nth(buf, 'Aleppo', 1)
  local tokens_ready = vim.wait(10000, function()
    return token_at(aleppo_row, aleppo_col) ~= nil
  end, 20)
  check('semantic-tokens-Aleppo', function()
    if not tokens_ready then
      return false, 'no semantic token at "Aleppo" (line 1)'
    end
    local t = token_at(aleppo_row, aleppo_col)
    return t.type == 'place', 'type ' .. tostring(t.type)
  end)
  check('semantic-tokens-after-multibyte', function()
    -- `#Aleppo` on line 17 sits after a curly quote and `#ISIL’s` (curly apostrophe).
    local row, col = find_nth(buf, '#Aleppo', 1)
    local t = token_at(row, col + 1)
    if not t then
      return false, 'no token at #Aleppo'
    end
    local t_text = text_in(buf, { lnum = t.line, col = t.start_col, end_lnum = t.line, end_col = t.end_col })
    note('token at #Aleppo: ' .. vim.inspect(t))
    return t.type == 'place' and t_text == 'Aleppo', string.format('type %s covering %q', t.type, t_text)
  end)
  -- Every token as `line:startbyte-endbyte type text`, for run.sh to compare across encodings.
  local tokens_file = os.getenv('FRONTLINE_E2E_TOKENS')
  if tokens_file and tokens_ready then
    local f = assert(io.open(tokens_file, 'w'))
    for row = 0, vim.api.nvim_buf_line_count(buf) - 1 do
      local seen = {}
      local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
      for col = 0, #line - 1 do
        local t = token_at(row, col)
        if t and not seen[t.start_col] then
          seen[t.start_col] = true
          local mods = vim.tbl_keys(t.modifiers or {})
          table.sort(mods)
          mods = table.concat(mods, ',')
          f:write(string.format('%d:%d-%d %s[%s] %s\n', row + 1, t.start_col, t.end_col, t.type, mods,
            line:sub(t.start_col + 1, t.end_col)))
        end
      end
    end
    f:close()
  end
  check('semantic-tokens-extmarks', function()
    vim.cmd('redraw!')
    local ns = vim.api.nvim_get_namespaces()['nvim.lsp.semantic_tokens:' .. client.id]
    if not ns then
      return false, 'no semantic tokens namespace for the client'
    end
    local marks = vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })
    note(#marks .. ' semantic-token extmarks')
    local groups = {}
    for _, m in ipairs(marks) do
      groups[m[4].hl_group or '?'] = true
    end
    return #marks > 0 and groups['@lsp.type.place.text'] and groups['@lsp.type.armedGroup.text'],
      #marks .. ' extmarks; groups: ' .. table.concat(vim.tbl_keys(groups), ' ')
  end)
  check('highlight-links', function()
    local want = {
      armedGroup = 'class',
      stateForce = 'struct',
      state = 'namespace',
      person = 'variable',
      place = 'enumMember',
      media = 'interface',
      politicalBody = 'type',
      coalition = 'enum',
      internationalOrg = 'typeParameter',
    }
    local bad = {}
    for ty, super in pairs(want) do
      local hl = vim.api.nvim_get_hl(0, { name = '@lsp.type.' .. ty })
      if hl.link ~= '@lsp.type.' .. super then
        bad[#bad + 1] = ty .. ' -> ' .. tostring(hl.link)
      end
    end
    -- a colour scheme load clears highlight groups; the plugin sets the links again
    vim.cmd.colorscheme('default')
    if vim.api.nvim_get_hl(0, { name = '@lsp.type.armedGroup' }).link ~= '@lsp.type.class' then
      bad[#bad + 1] = 'armedGroup link lost after :colorscheme'
    end
    -- default = true: a user's own definition wins
    vim.api.nvim_set_hl(0, '@lsp.type.person', { fg = '#ff0000' })
    require('frontline').set_highlights()
    if vim.api.nvim_get_hl(0, { name = '@lsp.type.person' }).fg ~= 0xff0000 then
      bad[#bad + 1] = 'user highlight for person overridden'
    end
    return #bad == 0, table.concat(bad, '; ')
  end)

  -- ---------------------------------------------------------------------------------------------
  -- Code actions on the first mixed-names diagnostic (line 1, "ISIS").

  local first = diags[1]
  local actions = {}
  check('code-actions', function()
    if not first or first.code ~= mixed_code or first.lnum ~= 0 then
      return false, 'no mixed-names diagnostic on line 1'
    end
    local lsp_diag = first.user_data and first.user_data.lsp
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag }, triggerKind = 1 },
    }
    local res = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction', params, 5000)
    local r = res and res[client.id]
    if not r or r.err or not r.result then
      return false, 'no result: ' .. vim.inspect(r)
    end
    actions = r.result
    note('code actions: ' .. vim.inspect(actions))
    local titles, preferred = {}, nil
    for _, a in ipairs(actions) do
      titles[#titles + 1] = a.title
      if a.isPreferred then
        preferred = a.title
      end
    end
    return preferred == 'Replace `ISIS` with `Islamic State`',
      'preferred: ' .. tostring(preferred) .. '; titles: ' .. table.concat(titles, ' | ')
  end)

  local throughout
  for _, a in ipairs(actions) do
    if a.title:match('^Use the .* throughout') then
      throughout = a
    end
  end
  local applied = check('code-action-throughout', function()
    if not throughout then
      return false, 'no "Use the ... throughout" action'
    end
    if throughout.title ~= 'Use the is family for Islamic State throughout (3 changes)' then
      return false, 'title ' .. throughout.title
    end
    if not throughout.edit then
      return false, 'action has no edit: ' .. vim.inspect(throughout)
    end
    local dc = throughout.edit.documentChanges
    if not dc or not dc[1] or dc[1].textDocument.version ~= buf_version(buf) then
      return false, 'edit is not versioned for the buffer version ' .. buf_version(buf) .. ': ' .. vim.inspect(dc)
    end
    vim.lsp.util.apply_workspace_edit(throughout.edit, client.offset_encoding)
    local now = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local expected = vim.deepcopy(original)
    expected[1] = expected[1]:gsub('ISIS Militants', 'Islamic State Militants')
    expected[3] = expected[3]:gsub('linked Islamic State of Iraq and the Levant parade', 'linked Islamic State parade')
    expected[15] = expected[15]:gsub('government and ISIS were', 'government and Islamic State were')
    local bad = {}
    if #now ~= #expected then
      bad[#bad + 1] = string.format('%d lines, expected %d', #now, #expected)
    end
    for i = 1, math.max(#now, #expected) do
      if now[i] ~= expected[i] then
        bad[#bad + 1] = string.format('line %d is %q, expected %q', i, tostring(now[i]), tostring(expected[i]))
      end
    end
    if not now[1]:find('Islamic State Militants', 1, true) then
      table.insert(bad, 1, 'headline lacks "Islamic State Militants"')
    end
    for i, l in ipairs(original) do
      if l:find('ISIL', 1, true) and now[i] ~= l then
        table.insert(bad, 1, 'quoted/tagged ISIL line ' .. i .. ' changed')
      end
    end
    return #bad == 0, table.concat(bad, '; ')
  end)

  if applied then
    local fresh = wait_publish(buf, 10000)
    check('diagnostics-after-edit', function()
      if not fresh then
        local last = publishes[#publishes]
        return false,
          'no publishDiagnostics for version ' .. buf_version(buf) .. ' (last: ' .. vim.inspect(last) .. ')'
      end
      local now = vim.diagnostic.get(buf)
      return #mixed(now) == 0, 'still: ' .. codes(now)
    end)
    check('semantic-tokens-after-edit', function()
      local row, col = find_nth(buf, 'Islamic State Militants', 1)
      local ok = vim.wait(5000, function()
        local t = token_at(row, col)
        return t ~= nil and t.type == 'armedGroup' and t.end_col == col + #'Islamic State'
      end, 20)
      local t = token_at(row, col)
      return ok, 'token at new "Islamic State" on line 1: ' .. vim.inspect(t)
    end)
  end
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  fail('test-script', err)
end
finish()
