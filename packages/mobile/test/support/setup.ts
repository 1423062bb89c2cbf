import { configure } from '@testing-library/react-native';

// Screens here talk to a real server over HTTP: give them more than the default second.
configure({ asyncUtilTimeout: 10_000 });
