package main

import (
	"io"
	"strings"
	"unicode/utf8"
)

// table renders rows as tsuru does: a bordered grid, a cell of several
// lines (one permission per line, say) spanning as many text rows, and,
// when any cell has several lines, a separator after every row.
type table struct {
	headers []string
	rows    [][]string
}

func newTable(headers ...string) *table { return &table{headers: headers} }

// add appends a row; a cell's lines are separated by "\n".
func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) widths() []int {
	w := make([]int, len(t.headers))
	for _, row := range append([][]string{t.headers}, t.rows...) {
		for i, cell := range row {
			for _, line := range strings.Split(cell, "\n") {
				w[i] = max(w[i], utf8.RuneCountInString(line))
			}
		}
	}
	return w
}

func (t *table) multiline() bool {
	for _, row := range t.rows {
		for _, cell := range row {
			if strings.Contains(cell, "\n") {
				return true
			}
		}
	}
	return false
}

// write prints the table to w.
func (t *table) write(w io.Writer) {
	widths := t.widths()
	var b strings.Builder
	sep := separator(widths)
	b.WriteString(sep)
	writeRow(&b, widths, t.headers)
	b.WriteString(sep)
	each := t.multiline()
	for i, row := range t.rows {
		writeRow(&b, widths, row)
		if each && i < len(t.rows)-1 {
			b.WriteString(sep)
		}
	}
	if len(t.rows) > 0 {
		b.WriteString(sep)
	}
	io.WriteString(w, b.String())
}

func separator(widths []int) string {
	var b strings.Builder
	for _, w := range widths {
		b.WriteString("+" + strings.Repeat("-", w+2))
	}
	return b.String() + "+\n"
}

func writeRow(b *strings.Builder, widths []int, cells []string) {
	lines := make([][]string, len(widths))
	height := 1
	for i := range widths {
		if i < len(cells) {
			lines[i] = strings.Split(cells[i], "\n")
		}
		height = max(height, len(lines[i]))
	}
	for l := 0; l < height; l++ {
		for i, w := range widths {
			text := ""
			if l < len(lines[i]) {
				text = lines[i][l]
			}
			b.WriteString("| " + text + strings.Repeat(" ", w-utf8.RuneCountInString(text)) + " ")
		}
		b.WriteString("|\n")
	}
}
