-- Terms that are the database's places and units (left out of 热点诉求).
SELECT term FROM term_df WHERE is_place
