// Package decision turns a series' anomaly scores into alerts, so that one
// incident raises one alert rather than one per anomalous point.
//
// A point is anomalous when its score is at least Options.Threshold. A State
// is idle or firing:
//
//   - idle: it counts anomalous points in a row. When the count reaches
//     Options.Consecutive it raises an alert and goes firing; a normal point
//     resets the count. Consecutive > 1 ignores isolated blips.
//   - firing: it raises nothing. It counts normal points in a row; any
//     anomalous point resets the count. After Options.ClearAfter normal points
//     in a row it goes idle, and the next incident can raise again.
//
// So a burst of 50 anomalous points is one alert, and two bursts are two
// alerts only if at least ClearAfter normal points separate them. A NaN score
// is normal: it never compares >= a threshold.
//
// A State belongs to one series and is used by one goroutine at a time. It
// is a few bytes, and MarshalBinary lets the agent keep it across restarts,
// so a restart mid-incident does not raise the alert again.
package decision
