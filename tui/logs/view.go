package logs

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/tui/common"
)

// View shows one Buffer: scrolled, or following new output, with search.
type View struct {
	common.Common
	buf    *Buffer
	offset int
	// Follow keeps the last line in view as output arrives.
	Follow  bool
	query   string
	matches []int
	cur     int
}

// SetBuffer shows b, following its end.
func (v *View) SetBuffer(b *Buffer) {
	if v.buf == b {
		return
	}
	v.buf, v.offset, v.Follow = b, 0, true
	v.matches, v.cur = nil, 0
	if v.query != "" {
		v.Search(v.query)
	}
}

// Buffer is the buffer shown.
func (v *View) Buffer() *Buffer { return v.buf }

func (v *View) lines() int {
	if v.buf == nil {
		return 0
	}
	return v.buf.Len()
}

func (v *View) body() int { return max(v.Height-1, 1) }

func (v *View) maxOffset() int { return max(v.lines()-v.body(), 0) }

// ScrollBy scrolls n lines (negative is up); scrolling up stops following.
func (v *View) ScrollBy(n int) {
	if v.Follow {
		v.offset = v.maxOffset()
	}
	v.offset = min(max(v.offset+n, 0), v.maxOffset())
	v.Follow = v.offset == v.maxOffset() && n > 0
}

// Top scrolls to the first line.
func (v *View) Top() { v.offset, v.Follow = 0, false }

// Bottom scrolls to the end and follows.
func (v *View) Bottom() { v.offset, v.Follow = v.maxOffset(), true }

// Search finds the lines containing q (case-insensitive) and shows the
// first match.
func (v *View) Search(q string) {
	v.query = q
	v.matches, v.cur = nil, 0
	if q == "" || v.buf == nil {
		return
	}
	lq := strings.ToLower(q)
	for i := 0; i < v.buf.Len(); i++ {
		if strings.Contains(strings.ToLower(v.buf.Line(i)), lq) {
			v.matches = append(v.matches, i)
		}
	}
	v.show()
}

// Next shows the next match (dir 1) or the previous one (dir -1).
func (v *View) Next(dir int) {
	if len(v.matches) == 0 {
		return
	}
	v.cur = (v.cur + dir + len(v.matches)) % len(v.matches)
	v.show()
}

func (v *View) show() {
	if len(v.matches) == 0 {
		return
	}
	v.Follow = false
	v.offset = min(max(v.matches[v.cur]-v.body()/2, 0), v.maxOffset())
}

// Query is the current search.
func (v *View) Query() string { return v.query }

// Render draws the pane: a title line and the visible lines, exactly
// Height lines of at most Width cells.
func (v *View) Render(title string) string {
	s := v.Styles
	offset := v.offset
	if v.Follow {
		offset = v.maxOffset()
	}
	state := ""
	if v.buf != nil {
		if v.Follow {
			state = "following"
		} else {
			state = fmt.Sprintf("line %d/%d", min(offset+1, v.lines()), v.lines())
		}
		if d := v.buf.Dropped(); d > 0 {
			state += fmt.Sprintf(", %d bytes dropped", d)
		}
		if v.query != "" {
			state += fmt.Sprintf(", /%s %d matches", v.query, len(v.matches))
		}
	}
	head := s.Title.Render(ansi.Truncate(title, max(v.Width-len(state)-3, 8), "…"))
	if state != "" {
		head += " " + s.Dim.Render("("+state+")")
	}
	out := []string{ansi.Truncate(head, v.Width, "")}
	lq := strings.ToLower(v.query)
	for i := 0; i < v.body(); i++ {
		n := offset + i
		if v.buf == nil || n >= v.buf.Len() {
			out = append(out, "")
			continue
		}
		line := ansi.Truncate(strings.ReplaceAll(ansi.Strip(v.buf.Line(n)), "\t", "    "), v.Width, "…")
		if lq != "" {
			line = highlight(line, lq, s.Match.Render)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// highlight marks every case-insensitive occurrence of lq in line.
func highlight(line, lq string, mark func(...string) string) string {
	ll := strings.ToLower(line)
	if len(ll) != len(line) || !strings.Contains(ll, lq) {
		return line
	}
	var b strings.Builder
	for {
		i := strings.Index(ll, lq)
		if i < 0 {
			b.WriteString(line)
			return b.String()
		}
		b.WriteString(line[:i])
		b.WriteString(mark(line[i : i+len(lq)]))
		line, ll = line[i+len(lq):], ll[i+len(lq):]
	}
}
