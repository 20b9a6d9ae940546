-- The gate's own directory lookup: which of the month's postcodes (normalised by the gate itself,
-- checks/postcodes.py, registered as _gate_postcodes) are live in the postcode directory in the
-- reporting month. Independent of the bookings mart's postcode columns.
SELECT DISTINCT g.postcode
FROM _gate_postcodes AS g
JOIN ref_postcodes AS r
    ON r.postcode = g.postcode
   AND postcode_live_in(r.introduced, r.terminated, yyyymm(getvariable('month')))
