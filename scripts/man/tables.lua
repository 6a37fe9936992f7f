-- tables.lua - pandoc filter for membench's manual pages: size each table's columns to their
-- contents so that the table fits an 80-column terminal (pandoc's own widths, taken from the
-- Markdown separator row, always add up to the full 70n and overflow once the indent and the
-- column gaps are added: groff warns "table wider than line width").
local LINE = 78 -- man's line length on an 80-column terminal
local INDENT = 7 -- the .TS table starts at the paragraph indent
local GAP = 3 -- tbl's default column separation
local PANDOC_FULL = 70 -- pandoc writes a width w as (w * 70)n

-- The length of a cell's text as the reader sees it.
local function cell_len(cell)
  return utf8.len(pandoc.utils.stringify(cell.contents)) or 0
end

function Table(t)
  local ncol = #t.colspecs
  local natural = {}
  for i = 1, ncol do natural[i] = 1 end
  local function scan(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        if i <= ncol then natural[i] = math.max(natural[i], cell_len(cell)) end
      end
    end
  end
  scan(t.head.rows)
  for _, body in ipairs(t.bodies) do scan(body.body) end
  local avail = LINE - INDENT - GAP * (ncol - 1)
  local width, left, open, total = {}, avail, {}, 0
  for i = 1, ncol do total = total + natural[i] end
  if total <= avail then
    for i = 1, ncol do width[i] = natural[i] end
  else
    -- Columns narrower than an even share keep their width; the rest share what is left
    -- in proportion to their contents.
    for i = 1, ncol do open[i] = true end
    local changed = true
    while changed do
      changed = false
      local nopen, sum = 0, 0
      for i = 1, ncol do
        if open[i] then nopen = nopen + 1; sum = sum + natural[i] end
      end
      for i = 1, ncol do
        if open[i] and natural[i] <= left / nopen then
          width[i], open[i], left, changed = natural[i], false, left - natural[i], true
          break
        end
      end
      if not changed then
        for i = 1, ncol do
          if open[i] then width[i] = math.floor(left * natural[i] / sum) end
        end
      end
    end
  end
  for i = 1, ncol do
    t.colspecs[i] = { t.colspecs[i][1], width[i] / PANDOC_FULL }
  end
  return t
end
