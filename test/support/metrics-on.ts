// As deployed: embedded metrics on (the local runtime turns them off unless asked). Import it first: Powertools
// reads the setting when its modules load.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
