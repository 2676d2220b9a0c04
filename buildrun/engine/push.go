package engine

import (
	"context"
	"encoding/json"
	"fmt"

	dockerclient "github.com/moby/moby/client"
)

// Push pushes each tag from the engine's store, as `docker push` does, and
// returns the manifest digest the registry holds for the last one. A
// failure the engine reports inside its stream is the error.
func Push(ctx context.Context, dc *dockerclient.Client, tags []string) (string, error) {
	var digest string
	for _, tag := range tags {
		rc, err := dc.ImagePush(ctx, tag, dockerclient.ImagePushOptions{RegistryAuth: "e30="}) // {}: no credentials
		if err != nil {
			return "", fmt.Errorf("pushing %s from the Docker engine: %w", tag, err)
		}
		err = readStream(rc, func(aux json.RawMessage) {
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
