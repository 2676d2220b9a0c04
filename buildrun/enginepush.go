package buildrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	dockerclient "github.com/moby/moby/client"
)

// enginePush pushes each tag from the Docker engine's store, as `docker
// push` does: the engine's BuildKit (20.10) takes the moby exporter's push
// attribute and does nothing with it. It returns the manifest digest the
// registry holds for the last tag. The engine reports a failed push inside
// a 200 response stream; that message is returned as the error.
func enginePush(ctx context.Context, dc *dockerclient.Client, tags []string) (string, error) {
	var digest string
	for _, tag := range tags {
		rc, err := dc.ImagePush(ctx, tag, dockerclient.ImagePushOptions{RegistryAuth: "e30="}) // {}: no credentials
		if err != nil {
			return "", fmt.Errorf("pushing %s from the Docker engine: %w", tag, err)
		}
		err = readEngineStream(rc, func(aux json.RawMessage) {
			var a struct{ Digest string }
			if json.Unmarshal(aux, &a) == nil && a.Digest != "" {
				digest = a.Digest
			}
		})
		rc.Close()
		if err != nil {
			return "", fmt.Errorf("pushing %s from the Docker engine: %w", tag, err)
		}
	}
	return digest, nil
}

// readEngineStream reads a Docker engine progress stream (JSON messages,
// one after another) to its end, passing each aux payload to onAux, and
// returns the first error a message reports.
func readEngineStream(r io.Reader, onAux func(json.RawMessage)) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			Error       string                    `json:"error"`
			ErrorDetail *struct{ Message string } `json:"errorDetail"`
			Aux         json.RawMessage           `json:"aux"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading the engine's response: %w", err)
		}
		if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
			return errors.New(m.ErrorDetail.Message)
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
		if len(m.Aux) > 0 && onAux != nil {
			onAux(m.Aux)
		}
	}
}
