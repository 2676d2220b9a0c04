// Package imageopen opens the images the build UI's inspector shows
// (an engine build's is saved to a temp file first) and holds those open
// until they are released, so that closing the UI releases every one,
// even one whose message the program never delivered.
package imageopen

import (
	"context"
	"fmt"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/layersview"
)

// Inspection is an image opened for the inspector.
type Inspection struct {
	Title string
	// Infos are its layers as its manifest lists them.
	Infos []layers.LayerInfo
	Image v1.Image
	// Close releases the image (the temp file of an engine save); nil
	// when there is nothing to release.
	Close func()
}

// Open opens the image spec names (as source.Open does) for the
// inspector: it reads the image, saving an engine image to a temp file
// first, so run it in a command. The Inspection's Close removes that
// file.
func Open(ctx context.Context, spec string, o source.Options) (*Inspection, error) {
	img, err := source.Open(ctx, spec, o)
	if err != nil {
		return nil, err
	}
	infos, err := layers.Describe(img)
	if err != nil {
		img.Close()
		return nil, fmt.Errorf("inspecting %s: %w", spec, err)
	}
	return &Inspection{Title: spec, Infos: infos, Image: img, Close: img.Close}, nil
}

// Held are the inspector's images from the moment they are open
// until they are released, so that Close also releases one whose
// message the program never delivered (it ended first).
type Held struct {
	mu     sync.Mutex
	closed bool
	open   map[*layersview.Session]bool
}

// Add keeps sess; false once the model is closed (release it then).
func (o *Held) Add(sess *layersview.Session) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	if o.open == nil {
		o.open = map[*layersview.Session]bool{}
	}
	o.open[sess] = true
	return true
}

// Remove forgets a released session.
func (o *Held) Remove(sess *layersview.Session) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.open, sess)
}

// ReleaseAll releases every image still open, and those opened later.
func (o *Held) ReleaseAll() {
	o.mu.Lock()
	o.closed = true
	open := o.open
	o.open = nil
	o.mu.Unlock()
	for sess := range open {
		sess.Release()
	}
}

// BuildImages returns the inspector's opener of recorded builds' images
// (build:ID), as source.Open reads them with o.
func BuildImages(o source.Options) func(context.Context, string) (*Inspection, error) {
	return func(ctx context.Context, id string) (*Inspection, error) {
		return Open(ctx, "build:"+id, o)
	}
}
