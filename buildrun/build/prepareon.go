package build

import (
	"context"

	"github.com/buildscope/buildscope/buildrun/builder"
)

// PrepareOn prepares o (Prepare), connects to the builder connect
// reaches and checks that it can honour every flag (Prepared.Check), in
// that order, so bad input fails before a builder is contacted. The
// caller closes the builder.
func PrepareOn(ctx context.Context, o Options, connect builder.Connector) (*Prepared, *builder.Builder, error) {
	p, err := Prepare(o)
	if err != nil {
		return nil, nil, err
	}
	b, err := connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := p.Check(ctx, b); err != nil {
		b.Close()
		return nil, nil, err
	}
	return p, b, nil
}

// ConnectChecked connects to the builder connect reaches and checks that
// it can build every target of bk (Bake.Check). The caller closes the
// builder.
func (bk *Bake) ConnectChecked(ctx context.Context, connect builder.Connector) (*builder.Builder, error) {
	b, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := bk.Check(ctx, b); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}
