package buildrun

import "context"

// PrepareOn prepares o (Prepare), connects to the builder connect
// reaches and checks that it can honour every flag (Prepared.Check), in
// that order, so bad input fails before a builder is contacted. The
// caller closes the builder.
func PrepareOn(ctx context.Context, o Options, connect Connector) (*Prepared, *Builder, error) {
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
