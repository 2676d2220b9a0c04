package tuitest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// State is a printable deep copy of everything reachable from v: every
// field, exported or not, pointers followed (each once, named by its
// address, so a replaced pointer shows), maps in key order, functions
// and channels by identity. Two States of one model differ exactly when
// something reachable from it changed. v must not be changed by another
// goroutine meanwhile.
func State(v any) string {
	d := dumper{seen: map[visit]bool{}}
	d.dump(reflect.ValueOf(v), 0)
	return d.b.String()
}

type visit struct {
	ptr uintptr
	typ reflect.Type
}

type dumper struct {
	b    strings.Builder
	seen map[visit]bool
	// shallow prints pointers by address only (map keys: what they
	// point to is printed where it is reached as a value)
	shallow bool
}

func (d *dumper) line(depth int, format string, args ...any) {
	d.b.WriteString(strings.Repeat(" ", depth))
	fmt.Fprintf(&d.b, format, args...)
	d.b.WriteByte('\n')
}

func (d *dumper) dump(v reflect.Value, depth int) {
	if !v.IsValid() {
		d.line(depth, "invalid")
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		d.line(depth, "%t", v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.line(depth, "%d", v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.line(depth, "%d", v.Uint())
	case reflect.Float32, reflect.Float64:
		d.line(depth, "%v", v.Float())
	case reflect.Complex64, reflect.Complex128:
		d.line(depth, "%v", v.Complex())
	case reflect.String:
		d.line(depth, "%q", v.String())
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		d.line(depth, "%s %#x", v.Kind(), v.Pointer())
	case reflect.Pointer:
		if v.IsNil() {
			d.line(depth, "nil %s", v.Type())
			return
		}
		k := visit{v.Pointer(), v.Type()}
		d.line(depth, "&%#x %s", k.ptr, k.typ)
		if d.seen[k] || d.shallow {
			return
		}
		d.seen[k] = true
		d.dump(v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			d.line(depth, "nil %s", v.Type())
			return
		}
		d.dump(v.Elem(), depth)
	case reflect.Struct:
		d.line(depth, "%s{", v.Type())
		for i := 0; i < v.NumField(); i++ {
			d.line(depth+1, "%s:", v.Type().Field(i).Name)
			d.dump(v.Field(i), depth+2)
		}
		d.line(depth, "}")
	case reflect.Slice:
		if v.IsNil() {
			d.line(depth, "nil %s", v.Type())
			return
		}
		d.line(depth, "%s len %d cap %d [", v.Type(), v.Len(), v.Cap())
		d.elems(v, depth)
	case reflect.Array:
		d.line(depth, "%s [", v.Type())
		d.elems(v, depth)
	case reflect.Map:
		if v.IsNil() {
			d.line(depth, "nil %s", v.Type())
			return
		}
		d.line(depth, "%s len %d {", v.Type(), v.Len())
		// keys in their printed order, then the values in that order, so
		// that a pointer first reached under a map is printed the same way
		type entry struct {
			k string
			v reflect.Value
		}
		var entries []entry
		for it := v.MapRange(); it.Next(); {
			kd := dumper{shallow: true}
			kd.dump(it.Key(), depth+1)
			entries = append(entries, entry{kd.b.String(), it.Value()})
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].k < entries[j].k })
		for _, e := range entries {
			d.b.WriteString(e.k)
			d.dump(e.v, depth+2)
		}
		d.line(depth, "}")
	default:
		d.line(depth, "%s", v.Kind())
	}
}

func (d *dumper) elems(v reflect.Value, depth int) {
	for i := 0; i < v.Len(); i++ {
		d.dump(v.Index(i), depth+1)
	}
	d.line(depth, "]")
}

// Pure checks that view (a model's View or Render) only draws: two
// calls draw the same, and the state reachable from model is the same
// before and after them.
func Pure(t testing.TB, name string, model any, view func() string) {
	t.Helper()
	before := State(model)
	first, second := view(), view()
	if first != second {
		t.Errorf("%s: two frames of the same model differ:\n%s", name, FirstDiff(first, second))
	}
	if after := State(model); after != before {
		t.Errorf("%s: drawing changed the model:\n%s", name, FirstDiff(before, after))
	}
}

// FirstDiff shows where two texts first differ, with the lines before.
func FirstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y || i >= len(al) || i >= len(bl) {
			from := max(0, i-8)
			return fmt.Sprintf("line %d:\n  %s\n- %s\n+ %s", i+1, strings.Join(al[from:i], "\n  "), x, y)
		}
	}
	return "(no difference)"
}
