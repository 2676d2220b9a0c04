package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// readStream reads one of the engine's JSON progress streams (load, push)
// to its end, passing each message's aux payload to onAux (when not nil),
// and returns the error a message reports. The engine answers 200 and
// reports a failure inside the stream; the error's text is the engine's
// own message.
func readStream(r io.Reader, onAux func(json.RawMessage)) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
			Aux json.RawMessage `json:"aux"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the engine's answer: %w", err)
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if m.ErrorDetail.Message != "" {
			return errors.New(m.ErrorDetail.Message)
		}
		if len(m.Aux) > 0 && onAux != nil {
			onAux(m.Aux)
		}
	}
}
