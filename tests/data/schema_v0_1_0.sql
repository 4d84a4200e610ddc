PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE articles (
	id INTEGER NOT NULL, 
	url TEXT NOT NULL, 
	final_url TEXT, 
	title TEXT, 
	published DATE, 
	fetched_at DATETIME, 
	content_hash VARCHAR(64), 
	text TEXT, 
	etag TEXT, 
	last_modified TEXT, 
	http_status INTEGER, 
	error TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (url)
);
INSERT INTO articles VALUES(1,'https://example.com/carsgen.html','https://example.com/carsgen.html','CARsgen IND','2026-01-04','2026-11-25 13:26:32.541481','c8dd7427953d5e5f2c39e381ad2ed218d2a0e9732d8cf516b0ca8b83f07a446d','On December 29, 2025, CARsgen submitted an IND for CT0596 to the NMPA.','"x1"',NULL,200,NULL);
INSERT INTO articles VALUES(2,'fixtures/bms.txt',NULL,'BMS RMAT','2020-10-01','2026-11-25 13:26:32.583596','96ab7a1f0a84f5ab3589da06d77edb44ecff73c93039c718b6b7acc318ca57b2','In September 2020, the FDA granted RMAT designation to ide-cel (Abecma).',NULL,NULL,NULL,NULL);
INSERT INTO articles VALUES(3,'https://news.example/roundup.html',NULL,'Roundup',NULL,'2026-11-25 13:26:32.593116','d64f7f2601ca98fdea733043cb330f24e919a8290fd45e5897101c2aaec48ba1','Ide-cel got RMAT. In September 2020, the FDA granted RMAT designation to ide-cel (Abecma).',NULL,NULL,NULL,NULL);
INSERT INTO articles VALUES(4,'https://example.com/broken.html',NULL,NULL,NULL,'2026-11-25 13:26:32.601296',NULL,NULL,NULL,NULL,NULL,'HTTP 503');
CREATE TABLE events (
	id INTEGER NOT NULL, 
	product_key TEXT NOT NULL, 
	regulator VARCHAR(32) NOT NULL, 
	kind VARCHAR(64) NOT NULL, 
	date_key VARCHAR(16) NOT NULL, 
	company TEXT, 
	product TEXT NOT NULL, 
	product_aliases TEXT NOT NULL, 
	target TEXT, 
	modality VARCHAR(32), 
	allogeneic BOOLEAN, 
	event_type VARCHAR(32) NOT NULL, 
	designation VARCHAR(64), 
	date VARCHAR(16), 
	date_precision VARCHAR(16), 
	date_start VARCHAR(10), 
	date_end VARCHAR(10), 
	indications TEXT NOT NULL, 
	first_seen_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_events_identity UNIQUE (product_key, regulator, kind, date_key)
);
INSERT INTO events VALUES(1,'ct0596','NMPA','ind_submission','2025-12-29','CARsgen Therapeutics','CT0596','[]','BCMA','car_t',1,'ind_submission',NULL,'2025-12-29','day','2025-12-29','2025-12-29','["multiple myeloma"]','2026-11-25 13:26:32.557123','2026-11-25 13:26:32.557123');
INSERT INTO events VALUES(2,'idecel','FDA','rmat','2020-09','Bristol Myers Squibb','ide-cel','["Abecma"]','BCMA','car_t',0,'designation','rmat','2020-09','month','2020-09-01','2020-09-30','["multiple myeloma"]','2026-11-25 13:26:32.585079','2026-11-25 13:26:32.585079');
CREATE TABLE mentions (
	id INTEGER NOT NULL, 
	event_id INTEGER NOT NULL, 
	article_id INTEGER NOT NULL, 
	evidence TEXT NOT NULL, 
	evidence_start INTEGER, 
	evidence_end INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_mentions_place UNIQUE (event_id, article_id, evidence_start), 
	FOREIGN KEY(event_id) REFERENCES events (id) ON DELETE CASCADE, 
	FOREIGN KEY(article_id) REFERENCES articles (id) ON DELETE CASCADE
);
INSERT INTO mentions VALUES(1,1,1,'On December 29, 2025, CARsgen submitted an IND for CT0596 to the NMPA.',0,70);
INSERT INTO mentions VALUES(2,2,2,'In September 2020, the FDA granted RMAT designation to ide-cel (Abecma).',0,72);
INSERT INTO mentions VALUES(3,2,3,'In September 2020, the FDA granted RMAT designation to ide-cel (Abecma).',18,90);
CREATE INDEX ix_events_date_start ON events (date_start);
CREATE INDEX ix_events_regulator ON events (regulator);
CREATE INDEX ix_events_company ON events (company);
CREATE INDEX ix_events_event_type ON events (event_type);
CREATE INDEX ix_events_product_key ON events (product_key);
CREATE INDEX ix_events_date ON events (date);
CREATE INDEX ix_mentions_article_id ON mentions (article_id);
CREATE VIEW events_flat AS 
SELECT
    e.id, e.company, e.product, e.product_aliases, e.target, e.modality, e.allogeneic,
    e.regulator, e.event_type, e.designation, e.date, e.date_precision, e.indications,
    e.first_seen_at, e.updated_at,
    (SELECT COUNT(*) FROM mentions m WHERE m.event_id = e.id) AS mention_count,
    (SELECT a.url FROM mentions m JOIN articles a ON a.id = m.article_id
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_source,
    (SELECT m.evidence FROM mentions m
      WHERE m.event_id = e.id ORDER BY m.id LIMIT 1) AS first_evidence
FROM events e;
COMMIT;
