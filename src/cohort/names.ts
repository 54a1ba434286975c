/**
 * Name and place lists for synthetic patients (common US names and Massachusetts towns, as Synthea uses; no real
 * person is described). Synthea appends 1–3 digits to each name part (`Maurice742_Kerluke267`).
 */
export const MALE_GIVEN: readonly string[] = [
  'James', 'John', 'Robert', 'Michael', 'William', 'David', 'Richard', 'Joseph', 'Thomas', 'Charles', 'Maurice', 'Samuel',
  'Daniel', 'Matthew', 'Anthony', 'Mark', 'Donald', 'Steven', 'Paul', 'Andrew', 'Joshua', 'Kenneth', 'Kevin', 'Brian',
  'George', 'Edward', 'Ronald', 'Timothy', 'Jason', 'Jeffrey', 'Ryan', 'Jacob', 'Gary', 'Nicholas', 'Eric', 'Chet',
];
/** Female given names. */
export const FEMALE_GIVEN: readonly string[] = [
  'Mary', 'Patricia', 'Jennifer', 'Linda', 'Elizabeth', 'Barbara', 'Susan', 'Jessica', 'Sarah', 'Karen', 'Janean', 'Reba',
  'Nancy', 'Lisa', 'Betty', 'Margaret', 'Sandra', 'Ashley', 'Kimberly', 'Emily', 'Donna', 'Michelle', 'Dorothy', 'Carol',
  'Amanda', 'Melissa', 'Deborah', 'Stephanie', 'Rebecca', 'Sharon', 'Laura', 'Cynthia', 'Kathleen', 'Amy', 'Angela', 'Ruth',
];
/** Family names. */
export const FAMILY: readonly string[] = [
  'Kerluke', 'Ortega', 'Bradtke', 'Thompson', 'Nolan', 'Dicki', 'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia',
  'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Taylor', 'Moore',
  'Jackson', 'Martin', 'Lee', 'Perez', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker',
  'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker',
  'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Zemlak', 'Kub', 'Schmitt', 'Hodkiewicz', 'Bauch', 'Kunze',
];
/** Massachusetts towns with a representative latitude/longitude and ZIP. */
export const TOWNS: readonly (readonly [string, number, number, string])[] = [
  ['Boston', 42.3601, -71.0589, '02108'],
  ['Worcester', 42.2626, -71.8023, '01608'],
  ['Springfield', 42.1015, -72.5898, '01103'],
  ['Cambridge', 42.3736, -71.1097, '02139'],
  ['Lowell', 42.6334, -71.3162, '01852'],
  ['Brockton', 42.0834, -71.0184, '02301'],
  ['Quincy', 42.2529, -71.0023, '02169'],
  ['Lynn', 42.4668, -70.9495, '01901'],
  ['New Bedford', 41.6362, -70.9342, '02740'],
  ['Fall River', 41.7015, -71.155, '02720'],
  ['Newton', 42.337, -71.2092, '02458'],
  ['Somerville', 42.3876, -71.0995, '02143'],
  ['Framingham', 42.2793, -71.4162, '01702'],
  ['Pittsfield', 42.4501, -73.2454, '01201'],
  ['Dartmouth', 41.6143, -70.9911, '02747'],
];
/** Street name parts. */
export const STREETS: readonly string[] = ['Gateway', 'Street', 'Avenue', 'Road', 'Lane', 'Way', 'Court', 'Rapid', 'Trail', 'Square'];
