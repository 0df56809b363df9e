-- The tracker of bench/oltp/tracker on MariaDB: primary keys only. The one secondary index that
-- exists in every configuration is the FULLTEXT index generate.sql adds at the end: search_fulltext's
-- MATCH … AGAINST cannot run on InnoDB without it (error 1191), so it is part of the application's
-- schema, not an index choice. Strings use the server's utf8mb4_general_ci: case-insensitive
-- comparisons (the PostgreSQL workload's lower(x) = lower($1) and ILIKE are plain = and LIKE here).
CREATE TABLE tenants  (id bigint AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, plan varchar(20) NOT NULL,
                       created_at datetime NOT NULL);
CREATE TABLE users    (id bigint AUTO_INCREMENT PRIMARY KEY, tenant_id bigint NOT NULL, email varchar(200) NOT NULL,
                       name varchar(100) NOT NULL, role varchar(20) NOT NULL, created_at datetime NOT NULL, deleted_at datetime NULL);
CREATE TABLE projects (id bigint AUTO_INCREMENT PRIMARY KEY, tenant_id bigint NOT NULL, name varchar(100) NOT NULL,
                       archived boolean NOT NULL DEFAULT false, created_at datetime NOT NULL);
CREATE TABLE labels   (id bigint AUTO_INCREMENT PRIMARY KEY, tenant_id bigint NOT NULL, name varchar(40) NOT NULL,
                       color varchar(10) NOT NULL);
CREATE TABLE issues   (id bigint AUTO_INCREMENT PRIMARY KEY, tenant_id bigint NOT NULL, project_id bigint NOT NULL,
                       author_id bigint NOT NULL, assignee_id bigint NULL, status varchar(20) NOT NULL, priority smallint NOT NULL,
                       title varchar(200) NOT NULL, body text NOT NULL, attrs json NOT NULL DEFAULT '{}',
                       created_at datetime NOT NULL, updated_at datetime NOT NULL, deleted_at datetime NULL);
CREATE TABLE issue_labels (issue_id bigint NOT NULL, label_id bigint NOT NULL, PRIMARY KEY (issue_id, label_id));
CREATE TABLE comments (id bigint AUTO_INCREMENT PRIMARY KEY, issue_id bigint NOT NULL, author_id bigint NOT NULL,
                       body text NOT NULL, created_at datetime NOT NULL, deleted_at datetime NULL);
