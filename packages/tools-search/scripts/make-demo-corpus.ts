/** Writes corpus/demo.jsonl: short generated articles about planets, elements and rivers. Run with `npx tsx`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const planets: [string, string, number, number][] = [
  ['Mercury', 'the smallest planet and the closest to the Sun', 0, 88],
  ['Venus', 'the hottest planet, wrapped in thick clouds of sulfuric acid', 0, 225],
  ['Earth', 'the only planet known to host life, with liquid water on its surface', 1, 365],
  ['Mars', 'the red planet, whose iron oxide dust gives it its colour', 2, 687],
  ['Jupiter', 'the largest planet, a gas giant with the Great Red Spot storm', 95, 4333],
  ['Saturn', 'a gas giant famous for its bright rings of ice and rock', 146, 10759],
  ['Uranus', 'an ice giant that rotates on its side', 28, 30687],
  ['Neptune', 'the windiest planet, an ice giant far from the Sun', 16, 60190],
];
const elements: [string, string, number, string][] = [
  ['Hydrogen', 'H', 1, 'the lightest element and the most abundant in the universe'],
  ['Helium', 'He', 2, 'a noble gas used to fill balloons and cool magnets'],
  ['Carbon', 'C', 6, 'the basis of organic chemistry, found in diamond and graphite'],
  ['Nitrogen', 'N', 7, 'the main gas of the air we breathe'],
  ['Oxygen', 'O', 8, 'a reactive gas that living things need for respiration'],
  ['Sodium', 'Na', 11, 'a soft metal that reacts violently with water'],
  ['Iron', 'Fe', 26, 'the metal of steel and of the red colour of Mars'],
  ['Copper', 'Cu', 29, 'a metal that conducts electricity and turns green in air'],
  ['Silver', 'Ag', 47, 'a precious metal with the highest electrical conductivity'],
  ['Gold', 'Au', 79, 'a precious metal that does not rust'],
  ['Mercury (element)', 'Hg', 80, 'the only metal that is liquid at room temperature'],
  ['Uranium', 'U', 92, 'a heavy radioactive metal used as nuclear fuel'],
];
const rivers: [string, string, number, string][] = [
  ['Nile', 'Africa', 6650, 'the Mediterranean Sea'],
  ['Amazon', 'South America', 6400, 'the Atlantic Ocean'],
  ['Yangtze', 'Asia', 6300, 'the East China Sea'],
  ['Mississippi', 'North America', 3730, 'the Gulf of Mexico'],
  ['Danube', 'Europe', 2850, 'the Black Sea'],
  ['Rhine', 'Europe', 1230, 'the North Sea'],
  ['Ganges', 'Asia', 2525, 'the Bay of Bengal'],
  ['Volga', 'Europe', 3530, 'the Caspian Sea'],
  ['Murray', 'Australia', 2508, 'the Indian Ocean'],
  ['Mekong', 'Asia', 4909, 'the South China Sea'],
  ['Congo', 'Africa', 4700, 'the Atlantic Ocean'],
  ['Thames', 'Europe', 346, 'the North Sea'],
];

const docs = [
  ...planets.map(([name, what, moons, days], i) => ({
    id: `planet-${i + 1}`,
    title: name,
    text: `${name} is ${what}. ${name} has ${moons} known moon${moons === 1 ? '' : 's'} and takes ${days} Earth days to orbit the Sun. ` +
      `Astronomers have studied ${name} with telescopes and space probes for many decades.`,
    url: `https://encyclopedia.example.org/planets/${name.toLowerCase()}`,
  })),
  ...elements.map(([name, symbol, z, what], i) => ({
    id: `element-${i + 1}`,
    title: name,
    text: `${name} (symbol ${symbol}, atomic number ${z}) is ${what}. In the periodic table ${name.split(' ')[0]} sits at position ${z}.`,
    url: `https://encyclopedia.example.org/elements/${symbol.toLowerCase()}`,
  })),
  ...rivers.map(([name, continent, km, mouth], i) => ({
    id: `river-${i + 1}`,
    title: `${name} River`,
    text: `The ${name} is a river in ${continent}, about ${km} km long. It flows into ${mouth}. ` +
      `Cities along the ${name} depend on it for water, trade and transport.`,
    url: `https://encyclopedia.example.org/rivers/${name.toLowerCase()}`,
  })),
  ...['planets', 'elements', 'rivers', 'nile-questions'].map((topic, i) => ({
    id: `leak-${i + 1}`,
    title: `Question-answer dataset: ${topic}`,
    text: `A dataset of questions and answers about ${topic}, with the gold answers included. Mars Nile Gold Jupiter answers.`,
    url: `https://huggingface.co/datasets/example/${topic}-qa`,
  })),
];
writeFileSync(join(__dirname, '..', 'corpus', 'demo.jsonl'), `${docs.map((d) => JSON.stringify(d)).join('\n')}\n`);
console.log(`wrote ${docs.length} documents`);
