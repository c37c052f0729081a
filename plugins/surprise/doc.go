// Package surprise is a streaming univariate detector that scores how
// surprising each value is to forecasters of its series, as an anomaly
// likelihood in the manner of Numenta's HTM post-processing.
//
// Four channels look at every value; the score is the highest of them:
//
//   - fast: the error of the better of two naive forecasts, the previous
//     value and an exponentially weighted mean;
//   - seasonal: the error of a recursive-least-squares autoregression on
//     the last three values and on the lags of a day and a week at the
//     common sampling intervals of 5 to 60 minutes, once the series is
//     longer than its longest lag;
//   - range: a value beyond the range of the last History values (up to a
//     few points ago) by more than a tolerance, which is how a first
//     extreme in a month of 5-minute points looks;
//   - novelty: Fuzzy ART on blocks of 7 values, which scores a shape the
//     series has not shown before, learning period included, inside its
//     range as well as outside (novelty.go).
//
// The forecasting channels turn an error into evidence in three steps: its
// rank among the channel's recent errors (only the top tenth counts, and an
// error small against the series' range counts less), the mean of that over
// the last few points, and the tail probability of that mean under a normal
// fitted to its own long history. A probability below 1e-5 ("red") that
// follows another red within the refractory period is held at 1e-3. A
// channel's score is −log10(probability)/10: 0.5 is a one-in-100,000
// event, 1 is one in 10^10. The range channel scores 1 on the first point
// of each excursion. Last, the peak stage keeps a score only if it tops
// every one of the previous Peak scores and makes it 0 otherwise, so an
// incident is one peak, as the decision's hysteresis makes it one alert.
//
// An instance is owned by one goroutine at a time, as the sdk requires. Its
// state is about 100 KB, most of it the last 2,000 errors of each
// forecasting channel and the last 2,017 values, plus up to 26 KiB of
// novelty categories; Score costs a few microseconds once the seasonal
// model runs and allocates nothing once the categories stop growing, but
// at the end of each novelty learning period (see README.md).
package surprise
