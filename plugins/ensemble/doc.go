// Package ensemble is a streaming detector that combines the scores of other
// streaming detectors, its members.
//
// An instance holds one instance of every member for its series. Score
// checks the point once, scores it with every member (each learns it as it
// would alone), then combines the members' scores: their mean, their
// maximum, or the mean of their ranks, where a member's rank is where its
// score falls among that member's recent scores. Ranks put members whose
// scores live on different scales (one rarely above 0.3, another often near
// 1) on one footing.
//
// The instance owns its member instances: they are made by Factory.New and
// replaced, never shared, by UnmarshalBinary. Like every sdk instance it is
// owned by one goroutine at a time. Its cost per point is the sum of its
// members' plus, for "rank", a scan of each member's rank window.
//
// Bad input is rejected before any member sees it, so it changes nothing.
// A member that fails on a point the ensemble accepted (only a broken or
// crashed external member can) leaves the members before it having learned
// that point and the rest not; the error names the member, and restoring a
// snapshot puts the members back in step.
package ensemble
