// Package fold makes and fills build records: the SolveStatus events of a
// build folded onto the stages and steps of its Dockerfile plan (Folder),
// a builder's own history record rebuilt (Foreign), and what is learned
// after the solve: each step's recorded inputs (AttachInputs), layer sizes
// (AssignStepSizes), cache mounts (CacheMountUses) and the normalised LLB
// digests of its ops (NormalizeLLB).
package fold
