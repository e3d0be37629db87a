//! Integration tests: real HTTP against a real server, a fresh database per
//! test (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set).

mod apprenticeships;
mod audit;
mod bases;
mod changes;
mod competitions;
mod compliance;
mod container;
mod conventions;
mod demands;
mod enterprises;
mod errors;
mod export;
mod helpers;
mod idempotency;
mod imports;
mod incidents;
mod lists;
mod meetings;
mod outage;
mod participants;
mod platform;
mod practice;
mod readme;
mod receiver;
mod role_table;
mod roles;
mod schools;
mod storage;
mod swagger;
mod throttling;
mod tokens;
mod transfers;
mod users;
mod visits;
mod webhooks;
