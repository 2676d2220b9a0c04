package compare

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// WriteJSON writes r as encoding/json writes it with a two-space indent,
// byte for byte (but for a path of invalid UTF-8, whose invalid bytes are
// written as \xNN: model.JSONName), one file change at a time: hundreds of thousands of
// changes are not held twice more as encoded text.
func (r *Result) WriteJSON(w io.Writer) error {
	files := r.Image.Files
	head := *r
	img := *r.Image
	img.Files = []compare.FileChange{}
	head.Image = &img
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&head); err != nil {
		return fmt.Errorf("encoding the comparison: %w", err)
	}
	// Image's fields sit at an indent of four spaces, and no other
	// field of that depth is named "files".
	const mark = "\n    \"files\": []"
	text := buf.Bytes()
	at := bytes.Index(text, []byte(mark))
	if at < 0 || len(files) == 0 {
		_, err := w.Write(text)
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(text[:at+len(mark)-1])
	// each change is encoded alone, then written without the newline
	// Encode ends it with
	var one bytes.Buffer
	fenc := json.NewEncoder(&one)
	fenc.SetIndent("      ", "  ")
	fenc.SetEscapeHTML(false)
	for i := range files {
		one.Reset()
		fc := files[i]
		fc.Path = model.JSONName(fc.Path) // invalid UTF-8 as \xNN, as inspect and diff write it
		if err := fenc.Encode(&fc); err != nil {
			return fmt.Errorf("encoding %s: %w", model.Printable(fc.Path), err)
		}
		if i == 0 {
			bw.WriteString("\n      ")
		} else {
			bw.WriteString(",\n      ")
		}
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n    ]")
	bw.Write(text[at+len(mark):])
	return bw.Flush()
}
