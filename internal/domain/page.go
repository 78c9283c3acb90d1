package domain

// trimPage cuts a list read with limit+1 rows down to limit and returns the
// cursor of the next page: the id of the last row kept, or 0 at the end.
func trimPage[T any](rows []T, limit int, id func(T) int64) ([]T, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	rows = rows[:limit]
	return rows, id(rows[len(rows)-1])
}
